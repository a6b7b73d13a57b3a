using System;
using System.IO;
using System.Linq;
using Kvpr.Checkpoints;
using Microsoft.ML.Tokenizers;

namespace Kvpr.Text
{
    /// <summary>
    /// A SentencePiece tokenizer.model (Llama 2 and Mistral checkpoints without tokenizer.json), read by the library
    /// itself; BOS is added unless tokenizer_config.json's add_bos_token says otherwise, as LlamaTokenizer does.
    /// </summary>
    internal static class SentencePieceModelFile
    {
        public static TextTokenizer Load(string path, TokenizerConfig config)
        {
            SentencePieceTokenizer tokenizer;
            try
            {
                using var stream = File.OpenRead(path);
                tokenizer = LlamaTokenizer.Create(stream, addBeginOfSentence: false, addEndOfSentence: false, ByteLevelBpe.AddedTokenMap(config.AddedTokens));
            }
            catch (Exception e) when (e is InvalidDataException or ArgumentException or InvalidOperationException or NotSupportedException or IndexOutOfRangeException)
            {
                throw new CheckpointException(ErrorCodes.InvalidTokenizer, path, $"not a SentencePiece model ({e.Message}).", e);
            }
            int? IdOf(string content) => tokenizer.Vocabulary.TryGetValue(content, out int id) ? id
                : config.AddedTokens.FirstOrDefault(token => token.Content == content)?.Id;
            var affixes = PostProcessor.FromConfig(config with { BosToken = config.BosToken ?? tokenizer.BeginningOfSentenceToken, EosToken = config.EosToken ?? tokenizer.EndOfSentenceToken },
                IdOf, defaultAddBos: true);
            var special = config.AddedTokens.Concat(new[]
            {
                new AddedToken(tokenizer.BeginningOfSentenceId, tokenizer.BeginningOfSentenceToken, Special: true),
                new AddedToken(tokenizer.EndOfSentenceId, tokenizer.EndOfSentenceToken, Special: true),
            });
            int? eos = IdOf(config.EosToken ?? tokenizer.EndOfSentenceToken);
            return new TextTokenizer(path, tokenizer, affixes, special, eos, config.CleanUpTokenizationSpaces);
        }
    }
}
