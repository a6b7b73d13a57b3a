using System.Collections.Generic;
using System.Text;
using Microsoft.ML.Tokenizers;

namespace Kvpr.Text
{
    /// <summary>
    /// A byte-level BPE model with ignore_merges (Llama 3): a pre-tokenized piece that is itself in the vocabulary
    /// becomes that one token; only other pieces are merged by <see cref="BpeTokenizer"/>, which has no such option.
    /// </summary>
    internal sealed class WholeWordBpe
    {
        private static readonly char[] ByteToChar = ByteLevelAlphabet();

        private readonly BpeTokenizer _bpe;

        public WholeWordBpe(BpeTokenizer bpe) => _bpe = bpe;

        public IReadOnlyList<int> Encode(string text)
        {
            string normalized = _bpe.Normalizer?.Normalize(text) ?? text;
            var ids = new List<int>();
            foreach (var (offset, length) in _bpe.PreTokenizer!.PreTokenize(normalized))
            {
                string piece = normalized.Substring(offset, length);
                if (_bpe.Vocabulary.TryGetValue(ByteLevel(piece), out int id))
                    ids.Add(id);
                else
                    ids.AddRange(_bpe.EncodeToIds(piece, considerPreTokenization: false, considerNormalization: false));
            }
            return ids;
        }

        /// <summary>The piece as the vocabulary spells it: each UTF-8 byte as its printable stand-in.</summary>
        private static string ByteLevel(string piece)
        {
            var text = new StringBuilder(piece.Length);
            foreach (byte b in Encoding.UTF8.GetBytes(piece))
                text.Append(ByteToChar[b]);
            return text.ToString();
        }

        /// <summary>GPT-2's bytes_to_unicode: printable Latin-1 bytes stand for themselves, the others for U+0100 onwards in byte order.</summary>
        private static char[] ByteLevelAlphabet()
        {
            var table = new char[256];
            int next = 256;
            for (int b = 0; b < 256; b++)
                table[b] = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF ? (char)b : (char)next++;
            return table;
        }
    }
}
