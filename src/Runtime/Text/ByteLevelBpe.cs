using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace Kvpr.Text
{
    /// <summary>
    /// GPT-2-style byte-level BPE on <see cref="BpeTokenizer"/>: the text split at the added tokens, then by the
    /// pre-tokenizer's regex, each piece's UTF-8 bytes merged as the merges rank them.
    /// </summary>
    internal static class ByteLevelBpe
    {
        /// <summary>The regex of the ByteLevel pre-tokenizer (use_regex), as in GPT-2.</summary>
        public const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

        public static BpeTokenizer Create(IReadOnlyDictionary<string, int> vocabulary, IEnumerable<(string Left, string Right)> merges, string pattern,
            IReadOnlyList<AddedToken> addedTokens, Normalizer? normalizer, string? unknownToken)
        {
            var added = AddedTokenMap(addedTokens);
            return BpeTokenizer.Create(new BpeOptions(vocabulary)
            {
                Merges = merges.Select(merge => merge.Left + " " + merge.Right),
                ByteLevel = true,
                PreTokenizer = new RegexPreTokenizer(new Regex(pattern, RegexOptions.Compiled | RegexOptions.CultureInvariant), added),
                Normalizer = normalizer,
                SpecialTokens = added,
                UnknownToken = unknownToken is not null && vocabulary.ContainsKey(unknownToken) ? unknownToken : null,
            });
        }

        /// <summary>
        /// Added tokens by content, longest first: the library matches them as regex alternatives in this order, and
        /// Hugging Face matches the longest token where several start at the same place.
        /// </summary>
        public static IReadOnlyDictionary<string, int>? AddedTokenMap(IReadOnlyList<AddedToken> addedTokens)
        {
            if (addedTokens.Count == 0)
                return null;
            var map = new Dictionary<string, int>();
            foreach (var token in addedTokens.OrderByDescending(token => token.Content.Length))
                map[token.Content] = token.Id;
            return map;
        }
    }
}
