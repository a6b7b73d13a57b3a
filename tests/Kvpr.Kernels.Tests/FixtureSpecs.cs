using System.Collections.Generic;

namespace Kvpr.Kernels.Tests;

/// <summary>
/// The models the kernels are checked for: the three fixture checkpoints (tests/fixtures/README.md), OPT-6.7B, and
/// tiny models of the other families: Mistral with a sliding window, Qwen2 with q, k, v biases and Llama 3 RoPE scaling in bf16.
/// </summary>
internal static class FixtureSpecs
{
    public static ModelSpec OptTiny => ModelSpec.Opt("opt-tiny", hidden: 64, layers: 2, heads: 4, ffnHidden: 256, vocab: 512, maxPositions: 128);

    public static ModelSpec LlamaTiny => ModelSpec.Llama("llama-tiny", hidden: 64, layers: 2, heads: 4, kvHeads: 4, ffnHidden: 192, vocab: 512, maxPositions: 128);

    public static ModelSpec LlamaTinyGqa => ModelSpec.Llama("llama-tiny-gqa", hidden: 64, layers: 2, heads: 4, kvHeads: 2, ffnHidden: 192, vocab: 512, maxPositions: 128);

    public static ModelSpec Opt6_7B => ModelCatalog.Get("opt-6.7b");

    public static ModelSpec MistralWindow => ModelSpec.Mistral("mistral-window", hidden: 64, layers: 2, heads: 4, kvHeads: 2, ffnHidden: 192, vocab: 512, maxPositions: 128, slidingWindow: 8);

    public static ModelSpec Qwen2Llama3 => ModelSpec.Qwen2("qwen2-llama3", hidden: 64, layers: 2, heads: 4, kvHeads: 2, ffnHidden: 192, vocab: 512, maxPositions: 128, tiedEmbeddings: true) with
    {
        RopeScaling = RopeScaling.Llama3, RopeScalingFactor = 8, RopeLowFrequencyFactor = 1, RopeHighFrequencyFactor = 4, RopeOriginalMaxPositions = 32,
        WeightType = WeightType.BFloat16,
    };

    public static IEnumerable<object[]> All()
    {
        yield return new object[] { "opt-tiny" };
        yield return new object[] { "llama-tiny" };
        yield return new object[] { "llama-tiny-gqa" };
        yield return new object[] { "opt-6.7b" };
        yield return new object[] { "mistral-window" };
        yield return new object[] { "qwen2-llama3" };
    }

    public static ModelSpec Get(string name) => name switch
    {
        "opt-tiny" => OptTiny,
        "llama-tiny" => LlamaTiny,
        "llama-tiny-gqa" => LlamaTinyGqa,
        "mistral-window" => MistralWindow,
        "qwen2-llama3" => Qwen2Llama3,
        _ => Opt6_7B,
    };
}
