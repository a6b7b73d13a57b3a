using System;
using System.Linq;

namespace Kvpr.Runtime.Tests.Weights;

public sealed class SeededRandomTensorTests
{
    [Fact]
    public void Values_are_fp16_with_the_asked_mean_and_deviation_and_depend_only_on_the_seed()
    {
        var tensor = new SeededRandomTensor("w", new long[] { 300, 1000 }, seed: 42, mean: 1, standardDeviation: 0.1);
        var values = new float[300_000];
        var again = new float[300_000];

        tensor.CopyToSingle(values);
        new SeededRandomTensor("w", new long[] { 300, 1000 }, seed: 42, mean: 1, standardDeviation: 0.1).CopyToSingle(again);

        again.ShouldBe(values);
        values.Average().ShouldBe(1f, 0.002f);
        Math.Sqrt(values.Select(v => (v - 1.0) * (v - 1.0)).Average()).ShouldBe(0.1, 0.002);
        values.All(v => (float)(Half)v == v).ShouldBeTrue();
        values.Min().ShouldBeGreaterThanOrEqualTo(1 - 0.1f * MathF.Sqrt(3) - 1e-3f);
        values.Max().ShouldBeLessThanOrEqualTo(1 + 0.1f * MathF.Sqrt(3) + 1e-3f);
    }

    [Fact]
    public void Another_seed_gives_other_values()
    {
        var a = new float[1000];
        var b = new float[1000];
        new SeededRandomTensor("w", new long[] { 1000 }, seed: 1, mean: 0, standardDeviation: 1).CopyToSingle(a);
        new SeededRandomTensor("w", new long[] { 1000 }, seed: 2, mean: 0, standardDeviation: 1).CopyToSingle(b);

        a.Zip(b).Count(p => p.First == p.Second).ShouldBeLessThan(10);
    }

    [Fact]
    public void A_destination_of_the_wrong_size_is_refused_naming_the_tensor()
    {
        var tensor = new SeededRandomTensor("layers.0.fc1.weight", new long[] { 4, 4 }, seed: 1, mean: 0, standardDeviation: 1);

        Should.Throw<ArgumentException>(() => tensor.CopyToSingle(new float[15])).Message.ShouldContain("layers.0.fc1.weight");
    }
}
