using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;

namespace Kvpr.Text
{
    /// <summary>
    /// Splits a text at its added tokens (longest first where several start at the same place), as Hugging Face does
    /// before normalizing each piece between them.
    /// </summary>
    internal sealed class AddedTokenSplitter
    {
        private readonly Regex? _tokens;
        private readonly Dictionary<string, int> _ids;

        public AddedTokenSplitter(IReadOnlyList<AddedToken> addedTokens)
        {
            _ids = addedTokens.GroupBy(token => token.Content).ToDictionary(group => group.Key, group => group.First().Id);
            _tokens = _ids.Count == 0 ? null
                : new Regex(string.Join("|", _ids.Keys.OrderByDescending(content => content.Length).Select(Regex.Escape)), RegexOptions.CultureInvariant);
        }

        /// <summary>The text as pieces: each either an added token's id or a run of text between them (never empty).</summary>
        public IEnumerable<(int? AddedId, string Text)> Split(string text)
        {
            int start = 0;
            if (_tokens is not null)
                for (var match = _tokens.Match(text); match.Success; match = match.NextMatch())
                {
                    if (match.Index > start)
                        yield return (null, text[start..match.Index]);
                    yield return (_ids[match.Value], match.Value);
                    start = match.Index + match.Length;
                }
            if (start < text.Length)
                yield return (null, text[start..]);
        }
    }
}
