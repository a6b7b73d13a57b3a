using System.Collections.Generic;
using System.Linq;
using Kvpr.Runtime.Json;

namespace Kvpr.Text
{
    /// <summary>
    /// The special tokens a tokenizer.json's post_processor puts around a single text (TemplateProcessing's
    /// "single" template, RobertaProcessing's and BertProcessing's cls and sep); without one, tokenizer_config.json's
    /// add_bos_token and add_eos_token decide.
    /// </summary>
    internal static class PostProcessor
    {
        public static TokenAffixes Affixes(JsonField? postProcessor, TokenizerConfig config, IReadOnlyList<AddedToken> addedTokens)
        {
            foreach (var step in TokenizerJson.Steps(postProcessor, "processors"))
            {
                switch (TokenizerJson.TypeOf(step))
                {
                    case "TemplateProcessing":
                        return Template(step);
                    case "RobertaProcessing" or "BertProcessing":
                        return new TokenAffixes(new[] { PairId(step.Required("cls")) }, new[] { PairId(step.Required("sep")) });
                }
            }
            return FromConfig(config, content => addedTokens.FirstOrDefault(token => token.Content == content)?.Id, defaultAddBos: false);
        }

        /// <summary>
        /// BOS and EOS as tokenizer_config.json asks (add_bos_token, add_eos_token, else <paramref name="defaultAddBos"/>
        /// and no EOS), their ids found by <paramref name="idOf"/>; a token it asks for that does not exist is an error.
        /// </summary>
        public static TokenAffixes FromConfig(TokenizerConfig config, System.Func<string, int?> idOf, bool defaultAddBos)
        {
            int[] Affix(bool add, string? token, string field) => !add ? new int[0]
                : token is null ? throw new JsonFieldException(config.Source, field, "is true, but the file names no such token")
                : new[] { idOf(token) ?? throw new JsonFieldException(config.Source, field, $"is true, but its token '{token}' is not in the vocabulary") };
            return new TokenAffixes(Affix(config.AddBosToken ?? defaultAddBos, config.BosToken, "add_bos_token"), Affix(config.AddEosToken ?? false, config.EosToken, "add_eos_token"));
        }

        private static TokenAffixes Template(JsonField processor)
        {
            var special = processor.Optional("special_tokens");
            var prefix = new List<int>();
            var suffix = new List<int>();
            bool afterSequence = false;
            foreach (var piece in processor.Required("single").Items)
            {
                if (piece.Optional("Sequence") is not null)
                {
                    afterSequence = true;
                    continue;
                }
                string name = piece.Required("SpecialToken").Required("id").AsString();
                var entry = special?.Optional(name) ?? throw piece.Invalid($"names special token '{name}', which special_tokens does not define");
                (afterSequence ? suffix : prefix).AddRange(entry.Required("ids").Items.Select(id => id.AsInt()));
            }
            return new TokenAffixes(prefix, suffix);
        }

        /// <summary>A [token, id] pair.</summary>
        private static int PairId(JsonField pair) => pair.Items.ToArray() is [_, var id] ? id.AsInt() : throw pair.Invalid("must be a [token, id] pair");
    }
}
