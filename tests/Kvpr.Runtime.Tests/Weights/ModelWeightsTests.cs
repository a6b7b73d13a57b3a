using System;
using System.Collections.Generic;
using System.Linq;

namespace Kvpr.Runtime.Tests.Weights;

public class ModelWeightsTests
{
    private static readonly ModelSpec Spec = ModelSpec.Opt("weights", hidden: 16, layers: 2, heads: 2, ffnHidden: 32, vocab: 20, maxPositions: 8);

    [Fact]
    public void Random_weights_are_seeded_and_drawn_like_the_fixtures()
    {
        var a = RandomWeights.Create(Spec, seed: 1);
        var b = RandomWeights.Create(Spec, seed: 1);
        var c = RandomWeights.Create(Spec, seed: 2);

        Values(a, WeightMapRole.UpWeight, 0).ShouldBe(Values(b, WeightMapRole.UpWeight, 0));
        Values(a, WeightMapRole.UpWeight, 0).ShouldNotBe(Values(c, WeightMapRole.UpWeight, 0));

        var matrix = Values(a, WeightMapRole.UpWeight, 1);
        Math.Sqrt(matrix.Select(v => (double)v * v).Average()).ShouldBe(0.08, 0.01);
        Values(a, WeightMapRole.AttentionNormWeight, 0).Average().ShouldBe(1.0f, 0.1f);
        // The tied head is the token embedding itself.
        a.Get(WeightMapRole.LmHead).ShouldBeSameAs(a.Get(WeightMapRole.TokenEmbedding));
    }

    [Fact]
    public void Missing_tensors_and_wrong_shapes_are_named()
    {
        var tensors = WeightMap.For(Spec).Entries.Where(e => e.IsRequired)
            .ToDictionary(e => e.Name, e => (IWeightTensor)new HalfTensor(e.Name, e.Shape.Select(d => (long)d).ToArray(), new Half[e.Elements]));
        tensors.Remove("model.decoder.layers.1.fc2.bias");
        tensors["model.decoder.layers.0.self_attn.k_proj.weight"] = new HalfTensor("model.decoder.layers.0.self_attn.k_proj.weight", new long[] { 16, 8 }, new Half[128]);

        var error = Should.Throw<InvalidOperationException>(() => ModelWeights.Create(Spec, tensors));

        error.Message.ShouldContain("'model.decoder.layers.1.fc2.bias' [16] is missing");
        error.Message.ShouldContain("'model.decoder.layers.0.self_attn.k_proj.weight' has shape [16, 8], expected [16, 16]");
        error.Message.ShouldContain(ErrorCodes.InvalidWeights);
    }

    [Fact]
    public void Rope_frequencies_are_rounded_to_the_weight_type()
    {
        var llama = ModelSpec.Llama("rope", hidden: 32, layers: 1, heads: 2, kvHeads: 2, ffnHidden: 8, vocab: 4, maxPositions: 8);
        var fp16 = new float[8];
        var bf16 = new float[8];

        new RopeFrequencies(llama).CopyToSingle(fp16);
        new RopeFrequencies(llama with { WeightType = WeightType.BFloat16 }).CopyToSingle(bf16);

        for (int i = 0; i < 8; i++)
        {
            double exact = Math.Pow(10000, -2.0 * i / 16);
            fp16[i].ShouldBe((float)(Half)exact, 1e-7);
            bf16[i].ShouldBe((float)exact, exact / 128);
            (BitConverter.SingleToInt32Bits(bf16[i]) & 0xFFFF).ShouldBe(0);
        }
    }

    private static float[] Values(ModelWeights weights, WeightMapRole role, int? layer)
    {
        var tensor = weights.Get(role, layer);
        var values = new float[tensor.Shape.Aggregate(1L, (p, d) => p * d)];
        tensor.CopyToSingle(values);
        return values;
    }
}
