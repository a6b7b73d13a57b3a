using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Kvpr.Checkpoints;
using Microsoft.ML.Tokenizers;

namespace Kvpr.Text
{
    /// <summary>
    /// A SentencePiece BPE tokenizer.model (Llama 2 and Mistral checkpoints without tokenizer.json), read by the library
    /// and run as transformers converts it for LlamaTokenizer: the pieces as the vocabulary, merges derived from them,
    /// '▁' before every piece between added tokens (legacy, the default) or only at the text's start (legacy false),
    /// neither with add_prefix_space false; the config's special tokens matched whole; BOS added unless
    /// add_bos_token says otherwise.
    /// </summary>
    internal static class SentencePieceModelFile
    {
        public static TextTokenizer Load(string path, TokenizerConfig config)
        {
            SentencePieceTokenizer model;
            try
            {
                using var stream = File.OpenRead(path);
                model = LlamaTokenizer.Create(stream, addBeginOfSentence: false, addEndOfSentence: false);
            }
            catch (Exception e) when (e is InvalidDataException or ArgumentException or InvalidOperationException or NotSupportedException or IndexOutOfRangeException)
            {
                throw new CheckpointException(ErrorCodes.InvalidTokenizer, path, $"not a SentencePiece BPE model ({e.Message}).", e);
            }
            var vocabulary = model.Vocabulary;
            var added = config.AddedTokensIn(vocabulary);
            int? IdOf(string content) => added.FirstOrDefault(token => token.Content == content)?.Id ?? (vocabulary.TryGetValue(content, out int id) ? id : null);
            var affixes = PostProcessor.FromConfig(config with { BosToken = config.BosToken ?? model.BeginningOfSentenceToken, EosToken = config.EosToken ?? model.EndOfSentenceToken },
                IdOf, defaultAddBos: true);
            bool addPrefixSpace = config.AddPrefixSpace ?? true;
            var prefix = !addPrefixSpace ? SpacePrefix.None : config.Legacy ?? true ? SpacePrefix.EveryPiece : SpacePrefix.TextStartWithoutSpace;
            var bpe = new MetaspaceBpe(vocabulary, Merges(vocabulary), added, prefix, splitAtSpaces: false, model.ByteFallback, model.UnknownToken, stripDecodedSpace: addPrefixSpace);
            var special = added.Concat(new[]
            {
                new AddedToken(model.BeginningOfSentenceId, model.BeginningOfSentenceToken, Special: true),
                new AddedToken(model.EndOfSentenceId, model.EndOfSentenceToken, Special: true),
            });
            return new TextTokenizer(path, bpe.Model, affixes, special, IdOf(config.EosToken ?? model.EndOfSentenceToken), config.CleanUpTokenizationSpaces, bpe.Encode, bpe.Decode);
        }

        /// <summary>
        /// The merges transformers derives from a SentencePiece vocabulary: every split of a piece into two pieces, ranked
        /// by the piece's id (a BPE model's pieces are numbered in the order they were learnt), then by the left part's length.
        /// </summary>
        private static IEnumerable<(string Left, string Right)> Merges(IReadOnlyDictionary<string, int> vocabulary) =>
            from piece in vocabulary.OrderBy(pair => pair.Value)
            from split in Enumerable.Range(1, Math.Max(piece.Key.Length - 1, 0))
            let left = piece.Key[..split]
            let right = piece.Key[split..]
            where vocabulary.ContainsKey(left) && vocabulary.ContainsKey(right)
            select (left, right);
    }
}
