using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Kvpr.Checkpoints;
using Kvpr.Runtime.Json;

namespace Kvpr.Text
{
    /// <summary>
    /// What tokenizer_config.json says about the special tokens and decoding; every field is optional and the
    /// file itself may be missing (then nothing is added and nothing cleaned up). <see cref="Source"/> is its path either way.
    /// </summary>
    internal sealed record TokenizerConfig(string Source, string? BosToken, string? EosToken, bool? AddBosToken, bool? AddEosToken,
        bool CleanUpTokenizationSpaces, IReadOnlyList<AddedToken> AddedTokens, IReadOnlyList<string> SpecialTokenNames, bool? Legacy, bool? AddPrefixSpace)
    {
        public const string FileName = "tokenizer_config.json";

        /// <summary>No tokenizer_config.json (expected at <paramref name="source"/>): nothing added, nothing cleaned up.</summary>
        public static TokenizerConfig None(string source) => new(source, null, null, null, null, false, new AddedToken[0], new string[0], null, null);

        public static TokenizerConfig Read(string folder)
        {
            string path = Path.Combine(folder, FileName);
            // Path.Exists, not File.Exists: a directory of that name is refused by name rather than taken for no file.
            if (!Path.Exists(path))
                return None(path);
            try
            {
                var root = JsonField.ReadFile(path);
                return new TokenizerConfig(path,
                    TokenContent(root.Optional("bos_token")),
                    TokenContent(root.Optional("eos_token")),
                    root.Optional("add_bos_token")?.AsBool(),
                    root.Optional("add_eos_token")?.AsBool(),
                    root.Optional("clean_up_tokenization_spaces")?.AsBool() ?? false,
                    AddedTokensDecoder(root.Optional("added_tokens_decoder")),
                    SpecialTokenNamesOf(root),
                    root.Optional("legacy")?.AsBool(),
                    root.Optional("add_prefix_space")?.AsBool());
            }
            catch (JsonFieldException e)
            {
                throw CheckpointException.FromJson(ErrorCodes.InvalidTokenizer, e);
            }
        }

        /// <summary>
        /// The added tokens of a tokenizer without tokenizer.json: added_tokens_decoder's, and the special tokens the file
        /// names (bos_token, …) that <paramref name="vocabulary"/> holds, matched whole as transformers does.
        /// </summary>
        public IReadOnlyList<AddedToken> AddedTokensIn(IReadOnlyDictionary<string, int> vocabulary) => AddedTokens.Concat(SpecialTokenNames
            .Where(name => vocabulary.ContainsKey(name) && AddedTokens.All(token => token.Content != name))
            .Select(name => new AddedToken(vocabulary[name], name, Special: true))).ToArray();

        /// <summary>A special token is written as its text or as an AddedToken object with a content field.</summary>
        internal static string? TokenContent(JsonField? node) => node?.Kind switch
        {
            null or JsonValueKind.Null => null,
            JsonValueKind.Object => node.Required("content").AsString(),
            _ => node.AsString(),
        };

        /// <summary>bos, eos, unk and pad tokens and additional_special_tokens: transformers treats each as a special token.</summary>
        private static IReadOnlyList<string> SpecialTokenNamesOf(JsonField root)
        {
            var names = new[] { "bos_token", "eos_token", "unk_token", "pad_token" }.Select(field => TokenContent(root.Optional(field)));
            var additional = root.Optional("additional_special_tokens") is { Kind: JsonValueKind.Array } list ? list.Items.Select(TokenContent) : Enumerable.Empty<string?>();
            return names.Concat(additional).OfType<string>().Distinct().ToArray();
        }

        /// <summary>added_tokens_decoder maps each id (as a string) to its token.</summary>
        private static IReadOnlyList<AddedToken> AddedTokensDecoder(JsonField? node)
        {
            if (node is null)
                return new AddedToken[0];
            return node.Properties.Select(property => new AddedToken(
                int.TryParse(property.Key, out int id) && id >= 0 ? id : throw property.Value.Invalid($"is listed under '{property.Key}', which is not a token id"),
                property.Value.Required("content").AsString(),
                property.Value.Optional("special") is { Kind: JsonValueKind.True } special)).ToArray();
        }
    }
}
