using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using Kvpr.Sampling;

namespace Kvpr.Cli.Batch
{
    /// <summary>
    /// One line of a <c>kvpr generate</c> input: <c>{"id", "prompt" | "prompt_ids", "max_new_tokens", "temperature",
    /// "top_p", "top_k", "seed", "stop"}</c>, all but id and the prompt optional.
    /// </summary>
    internal sealed record BatchRequest(JsonNode Id, int Line, string? Prompt, int[]? PromptIds, int? MaxNewTokens, SamplingOptions Sampling, string[] Stop)
    {
        /// <summary>The id as the output writes it: the key a rerun recognises finished requests by.</summary>
        public string Key => Id.ToJsonString();

        /// <summary>The request on <paramref name="text"/>, line <paramref name="line"/> of the input.</summary>
        /// <exception cref="BatchLineException">The line is not a request; its message says why, and carries the id when there is one.</exception>
        public static BatchRequest Parse(string text, int line)
        {
            JsonObject request;
            try
            {
                request = JsonNode.Parse(text) as JsonObject ?? throw new BatchLineException(null, "is not a JSON object");
            }
            catch (JsonException e)
            {
                throw new BatchLineException(null, $"is not valid JSON ({e.Message})");
            }
            var id = request["id"] is { } idNode && idNode.GetValueKind() is JsonValueKind.String or JsonValueKind.Number
                ? idNode.DeepClone()
                : throw new BatchLineException(null, "has no \"id\" (a string or a number)");
            try
            {
                var prompt = request["prompt"];
                var promptIds = request["prompt_ids"];
                if ((prompt is null) == (promptIds is null))
                    throw new BatchLineException(id, "must have exactly one of \"prompt\" (text) and \"prompt_ids\" (token ids)");
                double temperature = Number(request, "temperature") ?? 0;
                var sampling = new SamplingOptions
                {
                    Temperature = temperature,
                    TopK = Integer(request, "top_k") ?? 0,
                    TopP = Number(request, "top_p") ?? 1,
                    Seed = Integer(request, "seed") ?? 0,
                };
                if (sampling.Validate().FirstOrDefault() is { } error)
                    throw new BatchLineException(id, error.Field switch
                    {
                        nameof(SamplingOptions.Temperature) => $"has \"temperature\" {sampling.Temperature}; it must be 0 (greedy) or positive",
                        nameof(SamplingOptions.TopK) => $"has \"top_k\" {sampling.TopK}; it must be 0 (all tokens) or positive",
                        _ => $"has \"top_p\" {sampling.TopP}; it must be in (0, 1]",
                    });
                int? maxNewTokens = Integer(request, "max_new_tokens");
                if (maxNewTokens < 1)
                    throw new BatchLineException(id, $"has \"max_new_tokens\" {maxNewTokens}; it must be at least 1");
                return new BatchRequest(id, line,
                    prompt is null ? null : String(prompt, "prompt"),
                    promptIds is null ? null : Ids(promptIds),
                    maxNewTokens,
                    // Greedy decoding ignores the other settings: one bucket for all greedy requests.
                    sampling.IsGreedy ? SamplingOptions.Greedy : sampling,
                    StopStrings(request["stop"]));
            }
            catch (Exception e) when (e is InvalidOperationException or FormatException)
            {
                // A field of the wrong JSON type (System.Text.Json's conversions).
                throw new BatchLineException(id, $"has a field of the wrong type ({e.Message})");
            }
        }

        private static double? Number(JsonObject request, string name) => request[name] is { } node ? node.GetValue<double>() : null;

        private static int? Integer(JsonObject request, string name) => request[name] is { } node
            ? node.GetValueKind() == JsonValueKind.Number && node.GetValue<double>() is var value && value == Math.Floor(value) && Math.Abs(value) <= int.MaxValue
                ? (int)value
                : throw new FormatException($"\"{name}\" must be an integer, but is {node.ToJsonString()}")
            : null;

        private static string String(JsonNode node, string name) => node.GetValueKind() == JsonValueKind.String
            ? node.GetValue<string>()
            : throw new FormatException($"\"{name}\" must be a string, but is {node.ToJsonString()}");

        private static int[] Ids(JsonNode node) => node is JsonArray array
            ? array.Select(id => id is not null && id.GetValueKind() == JsonValueKind.Number && id.GetValue<double>() is var value && value >= 0 && value == Math.Floor(value) && value <= int.MaxValue
                ? (int)value
                : throw new FormatException($"\"prompt_ids\" holds {id?.ToJsonString() ?? "null"}, which is not a token id")).ToArray()
            : throw new FormatException($"\"prompt_ids\" must be an array of token ids, but is {node.ToJsonString()}");

        private static string[] StopStrings(JsonNode? node) => node switch
        {
            null => Array.Empty<string>(),
            JsonArray array => array.Select(item => item is null ? throw new FormatException("\"stop\" holds null") : String(item, "stop")).ToArray(),
            _ => new[] { String(node, "stop") },
        };
    }
}
