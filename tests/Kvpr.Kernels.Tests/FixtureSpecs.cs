using System.Collections.Generic;

namespace Kvpr.Kernels.Tests;

/// <summary>
/// The models the kernels are checked for: the seven fixture checkpoints with the dimensions of tests/fixtures/README.md,
/// OPT-6.7B, and Qwen2's q, k, v biases with Llama 3 RoPE scaling in bf16.
/// </summary>
internal static class FixtureSpecs
{
    public static ModelSpec OptTiny => ModelSpec.Opt("opt-tiny", hidden: 64, layers: 2, heads: 4, ffnHidden: 256, vocab: 512, maxPositions: 128);

    public static ModelSpec LlamaTiny => ModelSpec.Llama("llama-tiny", hidden: 64, layers: 2, heads: 4, kvHeads: 4, ffnHidden: 192, vocab: 512, maxPositions: 128);

    public static ModelSpec LlamaTinyGqa => ModelSpec.Llama("llama-tiny-gqa", hidden: 64, layers: 2, heads: 4, kvHeads: 2, ffnHidden: 192, vocab: 512, maxPositions: 128);

    public static ModelSpec Opt6_7B => ModelCatalog.Get("opt-6.7b");

    public static ModelSpec Llama3Tiny => ModelSpec.Llama("llama3-tiny", hidden: 64, layers: 2, heads: 4, kvHeads: 2, ffnHidden: 192, vocab: 512, maxPositions: 128,
        ropeTheta: 500000, tiedEmbeddings: true) with
    {
        RopeScaling = RopeScaling.Llama3, RopeScalingFactor = 8, RopeLowFrequencyFactor = 1, RopeHighFrequencyFactor = 4, RopeOriginalMaxPositions = 64,
        WeightType = WeightType.BFloat16,
    };

    public static ModelSpec LlamaLinearTiny => ModelSpec.Llama("llama-linear-tiny", hidden: 64, layers: 2, heads: 4, kvHeads: 4, ffnHidden: 192, vocab: 512, maxPositions: 128) with
    {
        RopeScaling = RopeScaling.Linear, RopeScalingFactor = 2,
    };

    public static ModelSpec MistralTiny => ModelSpec.Mistral("mistral-tiny", hidden: 64, layers: 2, heads: 4, kvHeads: 2, ffnHidden: 192, vocab: 512, maxPositions: 128,
        normEps: 1e-5, slidingWindow: 8);

    public static ModelSpec Qwen2Tiny => ModelSpec.Qwen2("qwen2-tiny", hidden: 64, layers: 2, heads: 4, kvHeads: 2, ffnHidden: 192, vocab: 512, maxPositions: 128,
        ropeTheta: 1e6, tiedEmbeddings: true);

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
        yield return new object[] { "llama3-tiny" };
        yield return new object[] { "llama-linear-tiny" };
        yield return new object[] { "mistral-tiny" };
        yield return new object[] { "qwen2-tiny" };
        yield return new object[] { "opt-6.7b" };
        yield return new object[] { "qwen2-llama3" };
    }

    public static ModelSpec Get(string name) => name switch
    {
        "opt-tiny" => OptTiny,
        "llama-tiny" => LlamaTiny,
        "llama-tiny-gqa" => LlamaTinyGqa,
        "llama3-tiny" => Llama3Tiny,
        "llama-linear-tiny" => LlamaLinearTiny,
        "mistral-tiny" => MistralTiny,
        "qwen2-tiny" => Qwen2Tiny,
        "qwen2-llama3" => Qwen2Llama3,
        _ => Opt6_7B,
    };
}
