using System.Collections.Generic;

namespace Kvpr.Kernels.Tests;

/// <summary>The models the kernels are checked for: the three fixture checkpoints (tests/fixtures/README.md) and OPT-6.7B.</summary>
internal static class FixtureSpecs
{
    public static ModelSpec OptTiny => ModelSpec.Opt("opt-tiny", hidden: 64, layers: 2, heads: 4, ffnHidden: 256, vocab: 512, maxPositions: 128);

    public static ModelSpec LlamaTiny => ModelSpec.Llama("llama-tiny", hidden: 64, layers: 2, heads: 4, kvHeads: 4, ffnHidden: 192, vocab: 512, maxPositions: 128);

    public static ModelSpec LlamaTinyGqa => ModelSpec.Llama("llama-tiny-gqa", hidden: 64, layers: 2, heads: 4, kvHeads: 2, ffnHidden: 192, vocab: 512, maxPositions: 128);

    public static ModelSpec Opt6_7B => ModelCatalog.Get("opt-6.7b");

    public static IEnumerable<object[]> All()
    {
        yield return new object[] { "opt-tiny" };
        yield return new object[] { "llama-tiny" };
        yield return new object[] { "llama-tiny-gqa" };
        yield return new object[] { "opt-6.7b" };
    }

    public static ModelSpec Get(string name) => name switch
    {
        "opt-tiny" => OptTiny,
        "llama-tiny" => LlamaTiny,
        "llama-tiny-gqa" => LlamaTinyGqa,
        _ => Opt6_7B,
    };
}
