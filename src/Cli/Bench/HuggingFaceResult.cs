using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using Kvpr.Runtime.Json;

namespace Kvpr.Cli.Bench
{
    /// <summary>
    /// Mode (d): a line that bench/hf_offloaded.py printed for Hugging Face transformers' generate with an
    /// offloaded cache, read back so that one table compares it with (a)–(c).
    /// </summary>
    internal sealed record HuggingFaceResult(string Model, int Batch, int PromptLength, string Cache, double MsPerStep, string Engine, JsonObject Source)
    {
        public bool Matches(BenchCase workload) =>
            Model == workload.Spec.Name && Batch == workload.Batch && PromptLength == workload.PromptLength;

        /// <summary>
        /// The successful results in a JSON-lines file; lines with an "error" (a run out of memory) are skipped.
        /// A line that is not such a result is a <see cref="UsageException"/> naming the file and line.
        /// </summary>
        public static IReadOnlyList<HuggingFaceResult> ReadLines(string path)
        {
            var results = new List<HuggingFaceResult>();
            try
            {
                var lines = JsonField.ReadText(path).Split('\n');
                for (int i = 0; i < lines.Length; i++)
                {
                    if (string.IsNullOrWhiteSpace(lines[i]))
                        continue;
                    var json = JsonField.Parse(lines[i], $"{path}:{i + 1}");
                    if (json.Optional("error") is not null)
                        continue;
                    results.Add(new HuggingFaceResult(json.Required("model").AsString(), json.Required("batch").AsInt(), json.Required("prompt").AsInt(),
                        json.Required("cache").AsString(), json.Required("ms_per_step").AsNumber(), json.Optional("engine")?.AsString() ?? "transformers",
                        JsonObject.Create(json.Element)!));
                }
            }
            catch (JsonFieldException e)
            {
                throw new UsageException($"{e.Message} Each line must be a result of bench/hf_offloaded.py.");
            }
            return results;
        }

        /// <summary>The offloaded-cache result for <paramref name="workload"/>, if the file has one.</summary>
        public static HuggingFaceResult? OffloadedFor(IEnumerable<HuggingFaceResult> results, BenchCase workload) =>
            results.FirstOrDefault(r => r.Cache == "offloaded" && r.Matches(workload));
    }
}
