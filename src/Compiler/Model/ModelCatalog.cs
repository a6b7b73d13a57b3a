using System;
using System.Collections.Generic;
using System.Linq;

namespace Kvpr
{
    /// <summary>Built-in model dimensions, by the names people use for them (opt-6.7b, llama-2-7b, …), as in their config.json.</summary>
    public static class ModelCatalog
    {
        /// <summary>A small OPT-shaped model for the CPU demo run: seeded random weights, no download.</summary>
        public const string TinyName = "kvpr-tiny";

        private static readonly ModelSpec[] Models =
        {
            ModelSpec.Opt(TinyName, hidden: 256, layers: 4, heads: 4, ffnHidden: 1024, vocab: 1024, maxPositions: 512),
            ModelSpec.Opt("opt-125m", 768, 12, 12, 3072),
            ModelSpec.Opt("opt-350m", 1024, 24, 16, 4096),
            ModelSpec.Opt("opt-1.3b", 2048, 24, 32, 8192),
            ModelSpec.Opt("opt-2.7b", 2560, 32, 32, 10240),
            ModelSpec.Opt("opt-6.7b", 4096, 32, 32, 16384),
            ModelSpec.Opt("opt-13b", 5120, 40, 40, 20480),
            ModelSpec.Opt("opt-30b", 7168, 48, 56, 28672),
            ModelSpec.Opt("opt-66b", 9216, 64, 72, 36864),
            ModelSpec.Llama("llama-2-7b", 4096, 32, 32, 32, 11008),
            ModelSpec.Llama("llama-2-13b", 5120, 40, 40, 40, 13824),
            ModelSpec.Llama("llama-3-8b", 4096, 32, 32, 8, 14336, vocab: 128256, maxPositions: 8192, ropeTheta: 500000) with { WeightType = WeightType.BFloat16 },
            ModelSpec.Llama("llama-3-70b", 8192, 80, 64, 8, 28672, vocab: 128256, maxPositions: 8192, ropeTheta: 500000) with { WeightType = WeightType.BFloat16 },
            ModelSpec.Mistral("mistral-7b", 4096, 32, 32, 8, 14336, maxPositions: 32768, normEps: 1e-5, slidingWindow: 4096) with { WeightType = WeightType.BFloat16 },
            ModelSpec.Qwen2("qwen2.5-7b", 3584, 28, 28, 4, 18944, vocab: 152064, maxPositions: 131072, normEps: 1e-6, ropeTheta: 1000000) with { WeightType = WeightType.BFloat16 },
            ModelSpec.Qwen2("qwen2.5-14b", 5120, 48, 40, 8, 13824, vocab: 152064, maxPositions: 131072, normEps: 1e-5, ropeTheta: 1000000) with { WeightType = WeightType.BFloat16 },
        };

        public static IReadOnlyList<string> Names { get; } = Models.Select(m => m.Name).ToArray();

        public static bool TryGet(string name, out ModelSpec spec)
        {
            spec = Models.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase))!;
            return spec is not null;
        }

        public static ModelSpec Get(string name) => TryGet(name, out var spec)
            ? spec
            : throw new KeyNotFoundException($"No built-in model is named '{name}'. Known: {string.Join(", ", Names)}.");
    }
}
