using System;

namespace Kvpr.Kernels.Tests;

public class DecodeSplitTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    [InlineData(64)]
    public void Splits_cover_the_sequence_without_an_empty_split(int batch)
    {
        var spec = FixtureSpecs.Opt6_7B;
        int maxSplits = DecodeSplit.MaxSplits(spec, batch, multiprocessors: 132);
        for (int length = 1; length <= 5000; length += 7)
        {
            var split = DecodeSplit.For(spec, batch, length, multiprocessors: 132);
            (split.TokensPerSplit % 64).ShouldBe(0);
            ((long)split.Splits * split.TokensPerSplit).ShouldBeGreaterThanOrEqualTo(length);
            ((long)(split.Splits - 1) * split.TokensPerSplit).ShouldBeLessThan(length);
            split.Splits.ShouldBeLessThanOrEqualTo(maxSplits);
        }
    }

    [Fact]
    public void A_long_context_fills_the_gpu_and_a_short_one_is_not_split()
    {
        var spec = FixtureSpecs.Opt6_7B; // 32 heads: 32 blocks per split for one sequence
        // ceil(2 × 132 / 32) = 9 splits wanted; 4096 / 9 → 456 tokens, rounded up to 512 → 8 splits.
        DecodeSplit.For(spec, batch: 1, length: 4096, multiprocessors: 132).ShouldBe(new DecodeSplit(512, 8));
        DecodeSplit.For(spec, batch: 1, length: 40, multiprocessors: 132).ShouldBe(new DecodeSplit(64, 1));
        DecodeSplit.For(spec, batch: 32, length: 4096, multiprocessors: 132).ShouldBe(new DecodeSplit(4096, 1));
    }

    [Fact]
    public void Nonsense_sizes_are_refused()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => DecodeSplit.For(FixtureSpecs.OptTiny, batch: 1, length: 0, multiprocessors: 132));
        Should.Throw<ArgumentOutOfRangeException>(() => DecodeSplit.For(FixtureSpecs.OptTiny, batch: 0, length: 5, multiprocessors: 132));
    }
}
