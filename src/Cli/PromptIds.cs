using System;
using System.Globalization;
using System.IO;
using System.Linq;
using Kvpr.Runtime.Json;

namespace Kvpr.Cli
{
    /// <summary>
    /// Token ids as given to <c>--prompt-ids</c> (or <c>kvpr tokenize --decode</c>): inline as <c>1,2,3;4,5,6</c> (sequences separated by ';'), or a JSON
    /// file holding an array of id arrays, one per sequence. Errors name the value at fault (in a file, its path);
    /// the engine checks the ids against the model.
    /// </summary>
    internal static class PromptIds
    {
        /// <summary>Any non-negative id, in files and JSON requests; the engine checks it against the model's vocabulary.</summary>
        public static readonly ValueRange TokenId = new(0, int.MaxValue);

        public static int[][] Parse(string value, string option = "--prompt-ids")
        {
            bool isFile = File.Exists(value) || value.EndsWith(".json", StringComparison.OrdinalIgnoreCase);
            var prompts = isFile ? ReadFile(value) : ParseInline(value, option);
            if (prompts.Length == 0)
                throw new UsageException($"{option} '{value}' holds no sequence.");
            int empty = Array.FindIndex(prompts, prompt => prompt.Length == 0);
            if (empty >= 0)
                throw new UsageException($"Sequence {empty} of {option} is empty.");
            return prompts;
        }

        private static int[][] ParseInline(string value, string option) =>
            value.Split(';').Select(sequence => sequence.Trim()).Select(sequence => sequence.Length == 0
                ? Array.Empty<int>()
                : sequence.Split(',').Select(id => ParseId(id.Trim(), value, option)).ToArray()).ToArray();

        private static int ParseId(string id, string value, string option) =>
            int.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out int parsed)
                ? parsed
                : throw new UsageException($"'{id}' in {option} '{value}' is not a token id (a non-negative integer).");

        private static int[][] ReadFile(string path)
        {
            if (!File.Exists(path))
                throw new UsageException($"The prompt file {path} does not exist.");
            try
            {
                return JsonField.ReadFile(path).Items.Select(sequence => sequence.Items.Select(id => (int)id.AsLongIn(TokenId)).ToArray()).ToArray();
            }
            catch (JsonFieldException e)
            {
                throw new UsageException($"The prompt file {e.Message} It must hold a JSON array of token-id arrays, one per sequence.");
            }
        }
    }
}
