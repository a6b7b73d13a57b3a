using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Kvpr.Checkpoints;
using Kvpr.Runtime.Json;

namespace Kvpr.Text
{
    /// <summary>
    /// GPT-2's original files: vocab.json (token to id) and merges.txt (one merge a line, after a "#version"
    /// header), byte-level with GPT-2's regex; special tokens and BOS/EOS from tokenizer_config.json.
    /// </summary>
    internal static class VocabMergesFiles
    {
        public static TextTokenizer Load(string vocabPath, string mergesPath, TokenizerConfig config)
        {
            foreach (string path in new[] { vocabPath, mergesPath })
                if (!File.Exists(path))
                    throw new CheckpointException(ErrorCodes.InvalidTokenizer, path, $"the file does not exist, but {Path.GetFileName(path == vocabPath ? mergesPath : vocabPath)} does; a GPT-2 tokenizer needs both.");
            Dictionary<string, int> vocabulary;
            try
            {
                vocabulary = TokenizerJson.Vocabulary(JsonField.ReadFile(vocabPath));
            }
            catch (JsonFieldException e)
            {
                throw CheckpointException.FromJson(ErrorCodes.InvalidTokenizer, e);
            }
            var merges = ReadMerges(mergesPath);
            var added = config.AddedTokensIn(vocabulary);
            var affixes = PostProcessor.FromConfig(config, content => added.FirstOrDefault(t => t.Content == content)?.Id ?? (vocabulary.TryGetValue(content, out int id) ? id : null), defaultAddBos: false);
            int? eos = config.EosToken is { } token ? added.FirstOrDefault(t => t.Content == token)?.Id ?? (vocabulary.TryGetValue(token, out int eosId) ? eosId : null) : null;
            try
            {
                var tokenizer = ByteLevelBpe.Create(vocabulary, merges, ByteLevelBpe.Gpt2Pattern, added, normalizer: null, unknownToken: null);
                return new TextTokenizer($"{vocabPath} + {mergesPath}", tokenizer, affixes, added, eos, config.CleanUpTokenizationSpaces);
            }
            catch (InvalidOperationException e)
            {
                throw new CheckpointException(ErrorCodes.InvalidTokenizer, mergesPath, e.Message, e);
            }
        }

        private static (string Left, string Right)[] ReadMerges(string path)
        {
            var merges = new List<(string, string)>();
            int lineNumber = 0;
            foreach (string line in File.ReadLines(path))
            {
                lineNumber++;
                if (line.Length == 0 || (lineNumber == 1 && line.StartsWith("#version", StringComparison.Ordinal)))
                    continue;
                string[] parts = line.Split(' ');
                if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
                    throw new CheckpointException(ErrorCodes.InvalidTokenizer, path, $"line {lineNumber} is \"{line}\", not two tokens separated by one space.");
                merges.Add((parts[0], parts[1]));
            }
            return merges.ToArray();
        }
    }
}
