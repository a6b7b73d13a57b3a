using System;
using System.Linq;
using System.Text;
using Kvpr.Runtime.Json;
using Microsoft.ML.Tokenizers;

namespace Kvpr.Text
{
    /// <summary>
    /// The Unicode normalization step of a tokenizer.json (NFC in Qwen2), by <see cref="UnicodeNormalization"/>.
    /// </summary>
    internal sealed class UnicodeNormalizer : Normalizer
    {
        private readonly NormalizationForm _form;

        private UnicodeNormalizer(NormalizationForm form) => _form = form;

        /// <summary>The normalizer a byte-level tokenizer.json asks for: null for none, NFC/NFKC/NFD/NFKD; others are refused.</summary>
        public static UnicodeNormalizer? From(JsonField? normalizer)
        {
            var steps = TokenizerJson.Steps(normalizer, "normalizers").ToArray();
            if (steps.Length == 0)
                return null;
            if (steps.Length > 1)
                throw normalizer!.Invalid("holds several steps; a byte-level tokenizer's normalizer may be one Unicode normalization");
            return TokenizerJson.TypeOf(steps[0]) switch
            {
                "NFC" => new UnicodeNormalizer(NormalizationForm.FormC),
                "NFKC" => new UnicodeNormalizer(NormalizationForm.FormKC),
                "NFD" => new UnicodeNormalizer(NormalizationForm.FormD),
                "NFKD" => new UnicodeNormalizer(NormalizationForm.FormKD),
                var other => throw steps[0].Invalid($"is a {other} step; a byte-level tokenizer's normalizer may be NFC, NFKC, NFD or NFKD"),
            };
        }

        public override string Normalize(string original) => UnicodeNormalization.Normalize(original, _form);

        public override string Normalize(ReadOnlySpan<char> original) => UnicodeNormalization.Normalize(original.ToString(), _form);
    }
}
