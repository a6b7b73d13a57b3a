using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;

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
            var lines = Kvpr.Json.JsonFile.ReadText(path).Split('\n');
            for (int i = 0; i < lines.Length; i++)
            {
                if (string.IsNullOrWhiteSpace(lines[i]))
                    continue;
                try
                {
                    var json = JsonNode.Parse(lines[i])?.AsObject() ?? throw new UsageException($"{path}:{i + 1} is null, not a result object.");
                    if (json.ContainsKey("error"))
                        continue;
                    results.Add(new HuggingFaceResult(Required(json, "model", path, i).GetValue<string>(), Required(json, "batch", path, i).GetValue<int>(),
                        Required(json, "prompt", path, i).GetValue<int>(), Required(json, "cache", path, i).GetValue<string>(),
                        Required(json, "ms_per_step", path, i).GetValue<double>(), json["engine"]?.GetValue<string>() ?? "transformers", json));
                }
                catch (System.Exception e) when (e is JsonException or System.InvalidOperationException or System.FormatException)
                {
                    throw new UsageException($"{path}:{i + 1} is not a result of bench/hf_offloaded.py: {e.Message}");
                }
            }
            return results;
        }

        private static JsonNode Required(JsonObject json, string field, string path, int line) =>
            json[field] ?? throw new UsageException($"{path}:{line + 1} has no \"{field}\" field, which every result of bench/hf_offloaded.py has.");

        /// <summary>The offloaded-cache result for <paramref name="workload"/>, if the file has one.</summary>
        public static HuggingFaceResult? OffloadedFor(IEnumerable<HuggingFaceResult> results, BenchCase workload) =>
            results.FirstOrDefault(r => r.Cache == "offloaded" && r.Matches(workload));
    }
}
