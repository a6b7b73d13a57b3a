using System;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using Kvpr.Runtime.Json;
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
            JsonField request;
            try
            {
                request = JsonField.Parse(text, $"line {line}");
            }
            catch (JsonFieldException e)
            {
                throw new BatchLineException(null, $"is not valid JSON ({e.Reason})");
            }
            var id = request.Kind == JsonValueKind.Object && request.Optional("id") is { Kind: JsonValueKind.String or JsonValueKind.Number } idField
                ? IdNode(idField)
                : throw new BatchLineException(null, request.Kind == JsonValueKind.Object ? "has no \"id\" (a string or a number)" : "is not a JSON object");
            try
            {
                var prompt = request.Optional("prompt");
                var promptIds = request.Optional("prompt_ids");
                if ((prompt is null) == (promptIds is null))
                    throw new BatchLineException(id, "must have exactly one of \"prompt\" (text) and \"prompt_ids\" (token ids)");
                var sampling = new SamplingOptions
                {
                    Temperature = request.Optional("temperature")?.AsNumber() ?? 0,
                    TopK = request.Optional("top_k")?.AsInt() ?? 0,
                    TopP = request.Optional("top_p")?.AsNumber() ?? 1,
                    Seed = request.Optional("seed")?.AsInt() ?? 0,
                };
                if (sampling.Validate().FirstOrDefault() is { } error)
                    throw new BatchLineException(id, error.Field switch
                    {
                        nameof(SamplingOptions.Temperature) => $"has \"temperature\" {sampling.Temperature}; it must be 0 (greedy) or positive",
                        nameof(SamplingOptions.TopK) => $"has \"top_k\" {sampling.TopK}; it must be 0 (all tokens) or positive",
                        _ => $"has \"top_p\" {sampling.TopP}; it must be in (0, 1]",
                    });
                int? maxNewTokens = request.Optional("max_new_tokens")?.AsInt();
                if (maxNewTokens < 1)
                    throw new BatchLineException(id, $"has \"max_new_tokens\" {maxNewTokens}; it must be at least 1");
                return new BatchRequest(id, line,
                    prompt?.AsString(),
                    promptIds?.Items.Select(tokenId => (int)tokenId.AsLongIn(Cli.PromptIds.TokenId)).ToArray(),
                    maxNewTokens,
                    // Greedy decoding ignores the other settings: one bucket for all greedy requests.
                    sampling.IsGreedy ? SamplingOptions.Greedy : sampling,
                    StopStrings(request.Optional("stop")));
            }
            catch (JsonFieldException e)
            {
                throw new BatchLineException(id, $"has a bad field: '{e.Field}' {e.Reason}");
            }
        }

        /// <summary>An id as the output writes it, from a request or from a record of an earlier run.</summary>
        public static JsonNode IdNode(JsonField id) => JsonSerializer.SerializeToNode(id.Element)!;

        private static string[] StopStrings(JsonField? stop) => stop switch
        {
            null => Array.Empty<string>(),
            { Kind: JsonValueKind.Array } => stop.Items.Select(item => item.AsString()).ToArray(),
            _ => new[] { stop.AsString() },
        };
    }
}
