using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Microsoft.ML.Tokenizers;

namespace Kvpr.Text
{
    /// <summary>Where a SentencePiece-style tokenizer puts a '▁' in front of the text between added tokens.</summary>
    internal enum SpacePrefix
    {
        /// <summary>Nowhere (Metaspace prepend_scheme "never").</summary>
        None,

        /// <summary>Before every piece, even one that starts with a space (a Prepend normalizer: legacy Llama 2).</summary>
        EveryPiece,

        /// <summary>Before every piece that does not start with a space (Metaspace prepend_scheme "always").</summary>
        EveryPieceWithoutSpace,

        /// <summary>Before the start of the text unless it starts with a space (Metaspace "first": Llama 2 with legacy false).</summary>
        TextStartWithoutSpace,
    }

    /// <summary>
    /// SentencePiece-style BPE as Hugging Face runs it (Llama 2, Mistral; tokenizer.json or a converted tokenizer.model):
    /// the text split at the added tokens, spaces written as '▁' with a '▁' prefixed as <see cref="SpacePrefix"/> says,
    /// each run of characters in the vocabulary merged by the library's <see cref="BpeTokenizer"/> in the merges' rank
    /// order, characters outside it as their UTF-8 byte pieces (byte fallback) or the unknown token. The library's own
    /// SentencePiece BPE is not used: where two equal pairs compete ("---") it merges the rightmost first, while
    /// SentencePiece and Hugging Face merge the leftmost.
    /// </summary>
    internal sealed class MetaspaceBpe
    {
        public const char Space = '\u2581';

        private readonly BpeTokenizer _bpe;
        private readonly IReadOnlyDictionary<string, int> _vocabulary;
        private readonly Dictionary<int, string> _tokens;
        private readonly AddedTokenSplitter _addedTokens;
        private readonly SpacePrefix _prefix;
        private readonly bool _splitAtSpaces, _byteFallback, _stripDecodedSpace;
        private readonly int? _unknownId;

        /// <param name="splitAtSpaces">Metaspace's split: each '▁' starts a word merged on its own.</param>
        /// <param name="stripDecodedSpace">Whether decoding drops one space at the start of the text (a Strip or Metaspace decoder).</param>
        public MetaspaceBpe(IReadOnlyDictionary<string, int> vocabulary, IEnumerable<(string Left, string Right)> merges, IReadOnlyList<AddedToken> addedTokens,
            SpacePrefix prefix, bool splitAtSpaces, bool byteFallback, string? unknownToken, bool stripDecodedSpace)
        {
            _vocabulary = vocabulary;
            _bpe = BpeTokenizer.Create(new BpeOptions(vocabulary) { Merges = merges.Select(merge => merge.Left + " " + merge.Right) });
            _tokens = new Dictionary<int, string>();
            foreach (var (token, id) in vocabulary.Select(pair => (pair.Key, pair.Value)).Concat(addedTokens.Select(token => (token.Content, token.Id))))
                _tokens[id] = token;
            _addedTokens = new AddedTokenSplitter(addedTokens);
            _prefix = prefix;
            _splitAtSpaces = splitAtSpaces;
            _byteFallback = byteFallback;
            _unknownId = unknownToken is not null && vocabulary.TryGetValue(unknownToken, out int unknown) ? unknown : null;
            _stripDecodedSpace = stripDecodedSpace;
        }

        /// <summary>The library's BPE model under the mapping (its vocabulary and merges).</summary>
        public Tokenizer Model => _bpe;

        public IReadOnlyList<int> Encode(string text)
        {
            var ids = new List<int>();
            bool atStart = true;
            foreach (var (addedId, piece) in _addedTokens.Split(text))
            {
                if (addedId is { } id)
                    ids.Add(id);
                else
                    EncodePiece(WithSpaces(piece, atStart), ids);
                atStart = false;
            }
            return ids;
        }

        private string WithSpaces(string piece, bool atStart)
        {
            string escaped = piece.Replace(' ', Space);
            bool prefix = _prefix switch
            {
                SpacePrefix.EveryPiece => true,
                SpacePrefix.EveryPieceWithoutSpace => escaped[0] != Space,
                SpacePrefix.TextStartWithoutSpace => atStart && escaped[0] != Space,
                _ => false,
            };
            return prefix ? Space + escaped : escaped;
        }

        /// <summary>One piece between added tokens: its words (with split) and, in each, the runs of known characters merged.</summary>
        private void EncodePiece(string piece, List<int> ids)
        {
            int runStart = 0;
            for (int i = 0; i < piece.Length; i += char.IsSurrogatePair(piece, i) ? 2 : 1)
            {
                int length = char.IsSurrogatePair(piece, i) ? 2 : 1;
                bool known = _vocabulary.ContainsKey(piece.Substring(i, length));
                if (!known || (_splitAtSpaces && piece[i] == Space))
                {
                    Merge(piece[runStart..i], ids);
                    runStart = known ? i : i + length;
                }
                if (!known)
                    Unknown(piece.Substring(i, length), ids);
            }
            Merge(piece[runStart..], ids);
        }

        private void Merge(string run, List<int> ids)
        {
            if (run.Length > 0)
                ids.AddRange(_bpe.EncodeToIds(run, considerPreTokenization: false, considerNormalization: false));
        }

        /// <summary>A character outside the vocabulary: its UTF-8 bytes as byte pieces, else the unknown token (consecutive ones fused), else nothing.</summary>
        private void Unknown(string character, List<int> ids)
        {
            if (_byteFallback)
            {
                var bytes = Encoding.UTF8.GetBytes(character).Select(b => _vocabulary.TryGetValue($"<0x{b:X2}>", out int id) ? id : -1).ToArray();
                if (bytes.All(id => id >= 0))
                {
                    ids.AddRange(bytes);
                    return;
                }
            }
            if (_unknownId is { } unknown && (ids.Count == 0 || ids[^1] != unknown))
                ids.Add(unknown);
        }

        /// <summary>
        /// Hugging Face's decoder for this style: '▁' back to spaces, runs of byte pieces as UTF-8 (each byte of an invalid
        /// sequence a U+FFFD), the tokens joined, one leading space dropped where the decoder strips it. Ids outside
        /// the vocabulary are left out.
        /// </summary>
        public string Decode(IEnumerable<int> ids)
        {
            var text = new StringBuilder();
            var bytes = new List<byte>();
            foreach (int id in ids)
            {
                if (!_tokens.TryGetValue(id, out var token))
                    continue;
                if (_byteFallback && TryParseByte(token, out byte b))
                {
                    bytes.Add(b);
                    continue;
                }
                FlushBytes(bytes, text);
                text.Append(token.Replace(Space, ' '));
            }
            FlushBytes(bytes, text);
            return _stripDecodedSpace && text.Length > 0 && text[0] == ' ' ? text.ToString(1, text.Length - 1) : text.ToString();
        }

        private static void FlushBytes(List<byte> bytes, StringBuilder text)
        {
            if (bytes.Count == 0)
                return;
            try
            {
                text.Append(new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes.ToArray()));
            }
            catch (DecoderFallbackException)
            {
                text.Append('\uFFFD', bytes.Count);
            }
            bytes.Clear();
        }

        private static bool TryParseByte(string token, out byte value)
        {
            value = 0;
            return token.Length == 6 && token.StartsWith("<0x", StringComparison.Ordinal) && token[5] == '>'
                && byte.TryParse(token.AsSpan(3, 2), System.Globalization.NumberStyles.AllowHexSpecifier, null, out value);
        }
    }
}
