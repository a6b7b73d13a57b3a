using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Kvpr.Checkpoints;
using Kvpr.Runtime.Json;
using Microsoft.ML.Tokenizers;

namespace Kvpr.Text
{
    /// <summary>
    /// A checkpoint's tokenizer: Microsoft.ML.Tokenizers configured from the folder's files (tokenizer.json, else
    /// vocab.json + merges.txt, else tokenizer.model), with the special tokens the checkpoint adds around a text
    /// and the decoding rules of its tokenizer_config.json. Ids and text match Hugging Face's AutoTokenizer.
    /// </summary>
    public sealed class TextTokenizer
    {
        public const string TokenizerJsonFile = "tokenizer.json";
        public const string VocabFile = "vocab.json";
        public const string MergesFile = "merges.txt";
        public const string SentencePieceFile = "tokenizer.model";

        private readonly Func<string, IReadOnlyList<int>> _encode;
        private readonly Func<IEnumerable<int>, string> _decode;
        private readonly int[] _prefix, _suffix;
        private readonly HashSet<int> _specialIds;
        private readonly bool _cleanUpSpaces;

        /// <param name="encode">How to encode a text when not simply by <paramref name="model"/> (ignore_merges, a prefix on every piece).</param>
        /// <param name="decode">How to decode ids, special tokens written out, when not simply by <paramref name="model"/>.</param>
        internal TextTokenizer(string source, Tokenizer model, TokenAffixes affixes, IEnumerable<AddedToken> addedTokens, int? endOfSequenceId, bool cleanUpSpaces,
            Func<string, IReadOnlyList<int>>? encode = null, Func<IEnumerable<int>, string>? decode = null)
        {
            Source = source;
            _encode = encode ?? (text => model.EncodeToIds(text));
            _decode = decode ?? (ids => model switch
            {
                BpeTokenizer bpe => bpe.Decode(ids, considerSpecialTokens: true),
                SentencePieceTokenizer sentencePiece => sentencePiece.Decode(ids, considerSpecialTokens: true),
                _ => model.Decode(ids),
            });
            _prefix = affixes.Prefix.ToArray();
            _suffix = affixes.Suffix.ToArray();
            _specialIds = new HashSet<int>(addedTokens.Where(token => token.Special).Select(token => token.Id).Concat(affixes.Prefix).Concat(affixes.Suffix));
            EndOfSequenceId = endOfSequenceId;
            _cleanUpSpaces = cleanUpSpaces;
        }

        /// <summary>The file (or files) the tokenizer was read from.</summary>
        public string Source { get; }

        /// <summary>The id of tokenizer_config.json's eos_token; null when it names none.</summary>
        public int? EndOfSequenceId { get; }

        /// <summary>
        /// The tokenizer of a checkpoint folder: tokenizer.json, else vocab.json + merges.txt, else tokenizer.model.
        /// </summary>
        /// <exception cref="CheckpointException">The folder has no tokenizer, or its files are malformed (the message names the file).</exception>
        public static TextTokenizer Load(string folder) => TryLoad(folder) ?? throw new CheckpointException(ErrorCodes.InvalidTokenizer, folder,
            $"no tokenizer: the folder has none of {TokenizerJsonFile}, {VocabFile} + {MergesFile}, {SentencePieceFile}.");

        /// <summary>Like <see cref="Load"/>, but null when the folder holds no tokenizer file at all.</summary>
        public static TextTokenizer? TryLoad(string folder)
        {
            var config = TokenizerConfig.Read(folder);
            string json = Path.Combine(folder, TokenizerJsonFile), vocab = Path.Combine(folder, VocabFile),
                merges = Path.Combine(folder, MergesFile), sentencePiece = Path.Combine(folder, SentencePieceFile);
            if (File.Exists(json))
                return TokenizerJson.Parse(ReadText(json), json, config);
            if (File.Exists(vocab) || File.Exists(merges))
                return VocabMergesFiles.Load(vocab, merges, config);
            if (File.Exists(sentencePiece))
                return SentencePieceModelFile.Load(sentencePiece, config);
            return null;
        }

        private static string ReadText(string path)
        {
            try
            {
                return JsonField.ReadText(path);
            }
            catch (JsonFieldException e)
            {
                throw CheckpointException.FromJson(ErrorCodes.InvalidTokenizer, e);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new CheckpointException(ErrorCodes.InvalidTokenizer, path, $"cannot be read ({e.Message}).", e);
            }
        }

        /// <summary>The ids of <paramref name="text"/>, with the checkpoint's special tokens around it (BOS, …) unless told not to.</summary>
        public int[] Encode(string text, bool addSpecialTokens = true)
        {
            ArgumentNullException.ThrowIfNull(text);
            var ids = _encode(text);
            return addSpecialTokens ? _prefix.Concat(ids).Concat(_suffix).ToArray() : ids.ToArray();
        }

        /// <summary>
        /// The text of <paramref name="ids"/>; special tokens are written out unless <paramref name="skipSpecialTokens"/>.
        /// Ids outside the vocabulary are left out, as Hugging Face does.
        /// </summary>
        public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = false)
        {
            ArgumentNullException.ThrowIfNull(ids);
            if (skipSpecialTokens)
                ids = ids.Where(id => !_specialIds.Contains(id));
            string text = _decode(ids);
            return _cleanUpSpaces ? CleanUpSpaces(text) : text;
        }

        /// <summary>transformers' clean_up_tokenization: no space before punctuation and English contractions.</summary>
        private static string CleanUpSpaces(string text) => new StringBuilder(text)
            .Replace(" .", ".").Replace(" ?", "?").Replace(" !", "!").Replace(" ,", ",").Replace(" ' ", "'")
            .Replace(" n't", "n't").Replace(" 'm", "'m").Replace(" 's", "'s").Replace(" 've", "'ve").Replace(" 're", "'re")
            .ToString();
    }
}
