using System.Collections.Generic;

namespace Kvpr.Kernels.Tests;

/// <summary>The models whose attention kernels the emulated checks run: head dims 16 to 256, MHA, GQA and MQA, fp16 and bf16, a sliding window.</summary>
internal static class EmulatedModels
{
    public static readonly IReadOnlyDictionary<string, ModelSpec> ByName = new Dictionary<string, ModelSpec>
    {
        // Head dim 16: 2 lanes a token, 64 tokens in flight per step; multi-head.
        ["opt-tiny"] = FixtureSpecs.OptTiny,
        // bf16, 2 query heads a KV head in one block.
        ["llama-tiny-gqa-bf16"] = FixtureSpecs.LlamaTinyGqa with { WeightType = WeightType.BFloat16 },
        // Head dim 80: 10 chunks on 16 lanes (6 spare); 8 query heads a KV head, in two blocks of 4.
        ["mqa-d80"] = ModelSpec.Llama("mqa-d80", hidden: 640, layers: 1, heads: 8, kvHeads: 1, ffnHidden: 256),
        // Head dim 128, 6 query heads a KV head: two blocks of 3.
        ["gqa6-d128"] = ModelSpec.Llama("gqa6-d128", hidden: 1536, layers: 1, heads: 12, kvHeads: 2, ffnHidden: 256),
        // Head dim 256: a whole warp a token; 16 query heads in four blocks; bf16.
        ["mqa-d256-bf16"] = ModelSpec.Llama("mqa-d256-bf16", hidden: 4096, layers: 1, heads: 16, kvHeads: 1, ffnHidden: 256) with { WeightType = WeightType.BFloat16 },
        // A sliding window of 40 tokens, GQA: partitions before the window stay empty, one starts inside it.
        ["mistral-window-40"] = ModelSpec.Mistral("mistral-window-40", hidden: 512, layers: 1, heads: 8, kvHeads: 2, ffnHidden: 256, slidingWindow: 40),
    };
}
