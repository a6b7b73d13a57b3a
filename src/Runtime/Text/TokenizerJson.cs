using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Kvpr.Checkpoints;
using Kvpr.Runtime.Json;
using Microsoft.ML.Tokenizers;

namespace Kvpr.Text
{
    /// <summary>
    /// Maps a Hugging Face tokenizer.json onto Microsoft.ML.Tokenizers, which does not read the file itself:
    /// byte-level BPE (GPT-2/OPT, Llama 3, Qwen2: the pre-tokenizer's regex, added tokens) onto
    /// <see cref="BpeTokenizer"/>; SentencePiece-style BPE with byte fallback (Llama 2, Mistral) onto
    /// <see cref="BpeTokenizer"/> behind <see cref="MetaspaceBpe"/>; Unigram onto the library's own tokenizer.json reader. Parts of the pipeline it
    /// cannot express are refused by name rather than approximated.
    /// </summary>
    internal static class TokenizerJson
    {
        /// <summary>The tokenizer of a tokenizer.json's <paramref name="json"/>; <paramref name="path"/> names it in errors.</summary>
        public static TextTokenizer Parse(string json, string path, TokenizerConfig config)
        {
            try
            {
                var root = JsonField.Parse(json, path);
                var model = root.Required("model");
                var addedTokens = ReadAddedTokens(root.Optional("added_tokens"));
                var affixes = PostProcessor.Affixes(root.Optional("post_processor"), config, addedTokens);
                int? eos = EndOfSequenceId(config, addedTokens, model);
                string type = model.Optional("type") is { Kind: JsonValueKind.String } typeNode ? typeNode.AsString() : "BPE";
                return type switch
                {
                    "BPE" when IsByteLevel(root) => ByteLevel(root, model, addedTokens, config, affixes, eos),
                    "BPE" => SentencePieceBpe(root, model, addedTokens, config, affixes, eos),
                    "Unigram" => new TextTokenizer(path, SentencePieceTokenizer.CreateFromTokenizerJson(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json)),
                        addBeginningOfSentence: false, addEndOfSentence: false), affixes, addedTokens, eos, config.CleanUpTokenizationSpaces),
                    _ => throw model.Required("type").Invalid($"is '{type}'; supported: BPE (byte-level or SentencePiece-style), Unigram"),
                };
            }
            catch (JsonFieldException e)
            {
                throw CheckpointException.FromJson(ErrorCodes.InvalidTokenizer, e);
            }
            catch (Exception e) when (e is InvalidOperationException or InvalidDataException or NotSupportedException or ArgumentException)
            {
                // The library's own checks (a merge of tokens outside the vocabulary, a malformed Unigram model).
                throw new CheckpointException(ErrorCodes.InvalidTokenizer, path, e.Message, e);
            }
        }

        /// <summary>A vocabulary object (model.vocab, vocab.json): each token to its id.</summary>
        public static Dictionary<string, int> Vocabulary(JsonField vocab)
        {
            var result = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var (token, id) in vocab.Properties)
            {
                int value = id.AsInt();
                if (value < 0)
                    throw id.Invalid($"is {value}, which is not a token id");
                result[token] = value;
            }
            return result;
        }

        /// <summary>model.merges: "left right" strings (older files) or [left, right] pairs (newer ones).</summary>
        public static IReadOnlyList<(string Left, string Right)> Merges(JsonField model) => model.Required("merges").Items.Select(merge =>
        {
            if (merge.Kind == JsonValueKind.Array)
                return merge.Items.ToArray() is [var left, var right] ? (left.AsString(), right.AsString()) : throw merge.Invalid("must be a pair of tokens");
            string text = merge.AsString();
            int space = text.IndexOf(' ', 1);
            return space > 0 && space < text.Length - 1 && text.IndexOf(' ', space + 1) < 0
                ? (text[..space], text[(space + 1)..])
                : throw merge.Invalid($"is \"{text}\", not two tokens separated by one space");
        }).ToArray();

        private static IReadOnlyList<AddedToken> ReadAddedTokens(JsonField? node) => node is null
            ? new AddedToken[0]
            : node.Items.Select(token =>
            {
                foreach (string flag in new[] { "lstrip", "rstrip", "single_word" })
                    if (token.Optional(flag) is { Kind: JsonValueKind.True } value)
                        throw value.Invalid("is true; added tokens that absorb whitespace or match whole words only are not supported");
                return new AddedToken(token.Required("id").AsInt(), token.Required("content").AsString(),
                    token.Optional("special") is { Kind: JsonValueKind.True } special);
            }).ToArray();

        /// <summary>tokenizer_config.json's eos_token, looked up among the added tokens and the vocabulary.</summary>
        private static int? EndOfSequenceId(TokenizerConfig config, IReadOnlyList<AddedToken> addedTokens, JsonField model)
        {
            if (config.EosToken is not { } eos)
                return null;
            if (addedTokens.FirstOrDefault(token => token.Content == eos) is { } added)
                return added.Id;
            return model.Optional("vocab") is { Kind: JsonValueKind.Object } vocab && vocab.Optional(eos) is { } id ? id.AsInt() : null;
        }

        /// <summary>GPT-2-style byte-level BPE: a ByteLevel step in the pre-tokenizer or the decoder.</summary>
        private static bool IsByteLevel(JsonField root) => Steps(root.Optional("pre_tokenizer"), "pretokenizers").Concat(Steps(root.Optional("decoder"), "decoders"))
            .Any(step => TypeOf(step) == "ByteLevel");

        /// <summary>
        /// Byte-level BPE on the library's <see cref="BpeTokenizer"/>; with ignore_merges (Llama 3) a pre-token found whole
        /// in the vocabulary is one token (<see cref="WholeWordBpe"/>).
        /// </summary>
        private static TextTokenizer ByteLevel(JsonField root, JsonField model, IReadOnlyList<AddedToken> addedTokens, TokenizerConfig config,
            TokenAffixes affixes, int? eos)
        {
            RefuseModelOptions(model, "byte_fallback", "continuing_subword_prefix", "end_of_word_suffix");
            string? pattern = null;
            foreach (var step in Steps(root.Optional("pre_tokenizer"), "pretokenizers"))
            {
                switch (TypeOf(step))
                {
                    case "ByteLevel":
                        if (step.Optional("add_prefix_space") is { Kind: JsonValueKind.True } prefix)
                            throw prefix.Invalid("is true; a byte-level pre-tokenizer that adds a leading space is not supported");
                        if (step.Optional("use_regex") is not { Kind: JsonValueKind.False })
                            pattern ??= ByteLevelBpe.Gpt2Pattern;
                        break;
                    case "Split" when pattern is null:
                        pattern = SplitPattern(step);
                        break;
                    default:
                        throw step.Invalid($"is a {TypeOf(step)} step; a byte-level tokenizer's pre-tokenizer may hold a ByteLevel step and one Split regex");
                }
            }
            var normalizer = UnicodeNormalizer.From(root.Optional("normalizer"));
            var bpe = ByteLevelBpe.Create(Vocabulary(model.Required("vocab")), Merges(model), pattern ?? ByteLevelBpe.Gpt2Pattern, addedTokens, normalizer, UnknownToken(model));
            bool ignoreMerges = model.Optional("ignore_merges") is { Kind: JsonValueKind.True } flag;
            return new TextTokenizer(root.Source, bpe, affixes, addedTokens, eos, config.CleanUpTokenizationSpaces, ignoreMerges ? new WholeWordBpe(bpe).Encode : null);
        }

        /// <summary>A Split step that isolates each match of its regex (or literal string).</summary>
        private static string SplitPattern(JsonField split)
        {
            if (split.Optional("behavior") is { } behavior && behavior.AsString() != "Isolated")
                throw behavior.Invalid($"is '{behavior.AsString()}'; only Isolated splits are supported");
            if (split.Optional("invert") is { Kind: JsonValueKind.True } invert)
                throw invert.Invalid("is true; inverted splits are not supported");
            var pattern = split.Required("pattern");
            return pattern.Optional("Regex") is { } regex ? regex.AsString() : System.Text.RegularExpressions.Regex.Escape(pattern.Required("String").AsString());
        }

        /// <summary>
        /// SentencePiece-style BPE (<see cref="MetaspaceBpe"/>): '▁' for spaces, from a Metaspace pre-tokenizer or from
        /// normalizers that prepend '▁' and replace spaces by it (legacy Llama 2); byte fallback.
        /// </summary>
        private static TextTokenizer SentencePieceBpe(JsonField root, JsonField model, IReadOnlyList<AddedToken> addedTokens, TokenizerConfig config,
            TokenAffixes affixes, int? eos)
        {
            RefuseModelOptions(model, "continuing_subword_prefix", "end_of_word_suffix", "ignore_merges");
            var prefix = SpacePrefix.None;
            bool escapeSpaces = false, split = false;
            foreach (var step in Steps(root.Optional("normalizer"), "normalizers"))
            {
                switch (TypeOf(step))
                {
                    case "Prepend" when step.Required("prepend").AsString() == Space:
                        prefix = SpacePrefix.EveryPiece;
                        break;
                    case "Replace" when step.Required("pattern").Optional("String")?.AsString() == " " && step.Required("content").AsString() == Space:
                        escapeSpaces = true;
                        break;
                    default:
                        throw step.Invalid($"is a {TypeOf(step)} step; a SentencePiece-style normalizer may only prepend '▁' and replace spaces by it");
                }
            }
            foreach (var step in Steps(root.Optional("pre_tokenizer"), "pretokenizers"))
            {
                if (TypeOf(step) != "Metaspace")
                    throw step.Invalid($"is a {TypeOf(step)} step; a SentencePiece-style tokenizer's pre-tokenizer may only be Metaspace");
                escapeSpaces = true;
                prefix = MetaspacePrefix(step);
                // Metaspace splits before every '▁' unless told not to.
                split = step.Optional("split") is not { Kind: JsonValueKind.False };
            }
            if (!escapeSpaces)
                throw new JsonFieldException(root.Source, "model", "is BPE without a byte-level step or SentencePiece's '▁' for spaces (a Metaspace pre-tokenizer or a Replace normalizer); this kind of BPE is not supported");
            var bpe = new MetaspaceBpe(Vocabulary(model.Required("vocab")), Merges(model), addedTokens, prefix, split,
                byteFallback: model.Optional("byte_fallback") is { Kind: JsonValueKind.True } fallback, UnknownToken(model),
                stripDecodedSpace: LeadingSpaceStripped(root.Optional("decoder")));
            return new TextTokenizer(root.Source, bpe.Model, affixes, addedTokens, eos, config.CleanUpTokenizationSpaces, bpe.Encode, bpe.Decode);
        }

        private static readonly string Space = MetaspaceBpe.Space.ToString();

        /// <summary>Metaspace's prepend_scheme (older files: add_prefix_space, true meaning "always").</summary>
        private static SpacePrefix MetaspacePrefix(JsonField metaspace)
        {
            if (metaspace.Optional("replacement") is { } replacement && replacement.AsString() != Space)
                throw replacement.Invalid($"is '{replacement.AsString()}'; only SentencePiece's '▁' is supported");
            if (metaspace.Optional("prepend_scheme") is not { Kind: JsonValueKind.String } scheme)
                return metaspace.Optional("add_prefix_space")?.AsBool() == false ? SpacePrefix.None : SpacePrefix.EveryPieceWithoutSpace;
            return scheme.AsString() switch
            {
                "always" => SpacePrefix.EveryPieceWithoutSpace,
                "first" => SpacePrefix.TextStartWithoutSpace,
                "never" => SpacePrefix.None,
                var other => throw scheme.Invalid($"is '{other}'; expected always, first or never"),
            };
        }

        /// <summary>Whether the decoder drops one space at the start of the text: a Strip step, or Metaspace that prepends.</summary>
        private static bool LeadingSpaceStripped(JsonField? decoder) => Steps(decoder, "decoders").Any(step => TypeOf(step) switch
        {
            "Strip" => step.Optional("start") is { Kind: JsonValueKind.Number } start && start.AsInt() > 0,
            "Metaspace" => MetaspacePrefix(step) != SpacePrefix.None,
            _ => false,
        });

        private static string? UnknownToken(JsonField model) => model.Optional("unk_token") is { Kind: JsonValueKind.String } unk ? unk.AsString() : null;

        private static void RefuseModelOptions(JsonField model, params string[] names)
        {
            foreach (string name in names)
                if (model.Optional(name) is { Kind: not JsonValueKind.False } value && !(value.Kind == JsonValueKind.String && value.AsString().Length == 0))
                    throw value.Invalid("is set; this BPE option is not supported for this kind of tokenizer");
        }

        /// <summary>A pipeline part as its list of steps: none for null, the members of a Sequence, else the part itself.</summary>
        internal static IEnumerable<JsonField> Steps(JsonField? part, string sequenceField) => part is null
            ? Enumerable.Empty<JsonField>()
            : TypeOf(part) == "Sequence" ? part.Required(sequenceField).Items : new[] { part };

        internal static string TypeOf(JsonField step) => step.Required("type").AsString();
    }
}
