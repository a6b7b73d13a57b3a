using System;
using Kvpr.Host;

namespace Kvpr.Runtime.Tests.Host;

public class HostAttentionTests
{
    // The kernel accumulates in fp32 (ε = 6e-8) what the reference sums in float64. A score is a dot product of ≤ 256
    // terms below 6/√d · 1 each: its rounding error stays below ~1e-5, which the exponentials carry into every weight
    // as a relative error of the same size; sums over ≤ 300 tokens add a few ε per term. 1e-4 leaves a margin of ~10.
    private const double Tolerance = 1e-4;

    [Theory]
    [InlineData(32, 4, 4, HostElementType.Float32, 1, 0, 37)]
    [InlineData(64, 8, 8, HostElementType.Float16, 5, 0, 200)]
    [InlineData(80, 4, 2, HostElementType.BFloat16, 1, 3, 150)]
    [InlineData(96, 6, 1, HostElementType.Float16, 5, 10, 300)]
    [InlineData(128, 32, 8, HostElementType.Float16, 1, 5, 133)]
    [InlineData(128, 32, 8, HostElementType.BFloat16, 5, 0, 70)]
    [InlineData(128, 8, 1, HostElementType.Float32, 5, 2, 130)]
    [InlineData(256, 4, 4, HostElementType.BFloat16, 1, 0, 65)]
    [InlineData(256, 4, 1, HostElementType.Float16, 5, 7, 8)]
    [InlineData(64, 4, 4, HostElementType.Float32, 5, 9, 10)]
    [InlineData(37, 3, 3, HostElementType.Float16, 2, 1, 6)]
    public void Partials_match_float64_attention(int headDim, int heads, int kvHeads, HostElementType element, int batch, int start, int end)
    {
        var fixture = new AttentionCase(batch, heads, kvHeads, headDim, element, start, end, seed: headDim + heads + end);

        var (acc, max, sum) = fixture.Run(start, end);

        var (output, referenceMax, referenceSum) = fixture.Reference();
        for (int row = 0; row < fixture.Rows; row++)
        {
            ((double)max[row]).ShouldBe(referenceMax[row], Tolerance);
            (sum[row] / referenceSum[row]).ShouldBe(1, Tolerance);
            for (int e = 0; e < headDim; e++)
                ((double)acc[row * headDim + e] / sum[row]).ShouldBe(output[row * headDim + e], Tolerance, $"row {row}, element {e}");
        }
    }

    [Theory]
    [InlineData(HostElementType.Float32)]
    [InlineData(HostElementType.Float16)]
    public void An_empty_share_is_an_empty_partial(HostElementType element)
    {
        var fixture = new AttentionCase(batch: 5, heads: 8, kvHeads: 2, headDim: 64, element, start: 4, end: 4, seed: 1);

        var (acc, max, sum) = fixture.Run(4, 4);

        max.ShouldAllBe(m => float.IsNegativeInfinity(m));
        sum.ShouldAllBe(s => s == 0);
        acc.ShouldAllBe(a => a == 0);
    }

    [Theory]
    [InlineData(64, 8, 8, HostElementType.Float16, 1, 0, 100, 1)]
    [InlineData(128, 32, 8, HostElementType.BFloat16, 5, 3, 240, 2)]
    [InlineData(128, 8, 1, HostElementType.Float32, 5, 0, 90, 3)]
    [InlineData(32, 4, 4, HostElementType.Float16, 1, 0, 2, 4)]
    public void Two_partials_split_at_random_merge_into_full_attention(int headDim, int heads, int kvHeads, HostElementType element, int batch, int start, int end, int seed)
    {
        var fixture = new AttentionCase(batch, heads, kvHeads, headDim, element, start, end, seed);
        int split = new Random(seed).Next(start, end + 1);
        var first = fixture.Run(start, split);
        var second = fixture.Run(split, end);
        var merged = new float[fixture.Rows * headDim];

        AttentionPartials.Combine(fixture.Rows, headDim, merged, new AttentionPartials(batch, first.Acc, first.Max, first.Sum), new AttentionPartials(batch, second.Acc, second.Max, second.Sum));

        var (output, _, _) = fixture.Reference();
        for (int i = 0; i < merged.Length; i++)
            ((double)merged[i]).ShouldBe(output[i], Tolerance, $"element {i} (split at {split})");
    }

    [Fact]
    public unsafe void Invalid_arguments_name_the_field()
    {
        float* anything = stackalloc float[1];
        var args = new HostAttentionArgs
        {
            Queries = anything, Keys = anything, Values = anything, Acc = anything, Max = anything, Sum = anything,
            Batch = 1, Heads = 6, KvHeads = 4, HeadDim = 1, Start = 0, End = 0,
        };

        var error = Should.Throw<ArgumentException>(() => HostAttention.Run(args));

        error.ParamName.ShouldBe(nameof(HostAttentionArgs.KvHeads));
        error.Message.ShouldContain("HostAttentionArgs.KvHeads must be positive and divide Heads (6), but is 4.");
        Should.Throw<ArgumentException>(() => HostAttention.Run(args with { KvHeads = 2, End = 5, Batch = 2, SequenceStride = 4 }))
            .ParamName.ShouldBe(nameof(HostAttentionArgs.SequenceStride));
        Should.Throw<ArgumentException>(() => HostAttention.Run(args with { KvHeads = 2, Start = 3, End = 2 }))
            .ParamName.ShouldBe(nameof(HostAttentionArgs.End));
    }
}
