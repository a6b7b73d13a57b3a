using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace Kvpr.Cli
{
    /// <summary>
    /// The token ids of <c>--prompt-ids</c>: inline as <c>1,2,3;4,5,6</c> (sequences separated by ';'), or a JSON
    /// file holding an array of id arrays, one per sequence. Errors are one sentence naming the value at fault;
    /// the engine checks the ids against the model.
    /// </summary>
    internal static class PromptIds
    {
        public static int[][] Parse(string value)
        {
            bool isFile = File.Exists(value) || value.EndsWith(".json", StringComparison.OrdinalIgnoreCase);
            var prompts = isFile ? ReadFile(value) : ParseInline(value);
            if (prompts.Length == 0)
                throw new UsageException($"--prompt-ids '{value}' holds no sequence.");
            int empty = Array.FindIndex(prompts, prompt => prompt.Length == 0);
            if (empty >= 0)
                throw new UsageException($"Sequence {empty} of --prompt-ids is empty.");
            return prompts;
        }

        private static int[][] ParseInline(string value) =>
            value.Split(';').Select(sequence => sequence.Trim()).Select(sequence => sequence.Length == 0
                ? Array.Empty<int>()
                : sequence.Split(',').Select(id => ParseId(id.Trim(), value)).ToArray()).ToArray();

        private static int ParseId(string id, string value) =>
            int.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out int parsed)
                ? parsed
                : throw new UsageException($"'{id}' in --prompt-ids '{value}' is not a token id (a non-negative integer).");

        private static int[][] ReadFile(string path)
        {
            if (!File.Exists(path))
                throw new UsageException($"The prompt file {path} does not exist.");
            string shape = "a JSON array of token-id arrays, one per sequence";
            try
            {
                using var document = JsonDocument.Parse(Kvpr.Json.JsonFile.ReadText(path));
                if (document.RootElement.ValueKind != JsonValueKind.Array)
                    throw new UsageException($"The prompt file {path} must hold {shape}, but holds a JSON {document.RootElement.ValueKind}.");
                return document.RootElement.EnumerateArray().Select((sequence, index) => ReadSequence(sequence, index, path)).ToArray();
            }
            catch (JsonException e)
            {
                throw new UsageException($"The prompt file {path} is not valid JSON ({e.Message}).");
            }
        }

        private static int[] ReadSequence(JsonElement sequence, int index, string path)
        {
            var ids = new List<int>();
            if (sequence.ValueKind == JsonValueKind.Array)
            {
                foreach (var id in sequence.EnumerateArray())
                {
                    if (id.ValueKind != JsonValueKind.Number || !id.TryGetInt32(out int value) || value < 0)
                        throw new UsageException($"Sequence {index} of the prompt file {path} holds {id.GetRawText()}, which is not a token id (a non-negative integer).");
                    ids.Add(value);
                }
                return ids.ToArray();
            }
            throw new UsageException($"Sequence {index} of the prompt file {path} is a JSON {sequence.ValueKind}, not an array of token ids.");
        }
    }
}
