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
            split.TokensPerSplit.ShouldBeGreaterThanOrEqualTo(128);
            ((long)split.Splits * split.TokensPerSplit).ShouldBeGreaterThanOrEqualTo(length);
            ((long)(split.Splits - 1) * split.TokensPerSplit).ShouldBeLessThan(length);
            split.Splits.ShouldBeLessThanOrEqualTo(maxSplits);
        }
    }

    [Fact]
    public void A_long_context_fills_the_gpu_with_several_waves_and_a_short_one_is_not_split()
    {
        var spec = FixtureSpecs.Opt6_7B; // 32 heads, one a block: 32 blocks per split and sequence
        // One sequence: 16 × 132 / 32 → 66 splits wanted; 4096 / 66 → 63 tokens, but no split is shorter than 128.
        DecodeSplit.For(spec, batch: 1, length: 4096, multiprocessors: 132).ShouldBe(new DecodeSplit(128, 32));
        DecodeSplit.For(spec, batch: 1, length: 40, multiprocessors: 132).ShouldBe(new DecodeSplit(128, 1));
        // 32 sequences: 1024 blocks per split, 16 × 132 / 1024 → 3 splits; 1031 / 3 → 344, rounded up to 384.
        DecodeSplit.For(spec, batch: 32, length: 1031, multiprocessors: 132).ShouldBe(new DecodeSplit(384, 3));
        DecodeSplit.For(spec, batch: 32, length: 4096, multiprocessors: 132).ShouldBe(new DecodeSplit(1408, 3));
        DecodeSplit.For(spec, batch: 128, length: 4096, multiprocessors: 132).ShouldBe(new DecodeSplit(4096, 1));
    }

    [Theory]
    [InlineData("opt-6.7b", 6)]
    [InlineData("opt-6.7b", 40)]
    [InlineData("llama-tiny-gqa", 33)]
    public void Partial_buffers_sized_for_the_largest_batch_hold_every_smaller_one(string model, int maxBatch)
    {
        // The runtime sizes partial_acc once, as maxBatch × HEADS × MaxSplits(maxBatch) rows, and launches smaller
        // batches into it: a smaller batch takes more splits, and batch × splits must still fit.
        var spec = FixtureSpecs.Get(model);
        long capacity = (long)maxBatch * DecodeSplit.MaxSplits(spec, maxBatch, multiprocessors: 132);
        for (int batch = 1; batch <= maxBatch; batch++)
        {
            foreach (int length in new[] { 1, 127, 1000, 5000, 100_000 })
                ((long)batch * DecodeSplit.For(spec, batch, length, multiprocessors: 132).Splits).ShouldBeLessThanOrEqualTo(capacity, $"batch {batch}, {length} tokens");
        }
    }

    [Fact]
    public void Nonsense_sizes_are_refused()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => DecodeSplit.For(FixtureSpecs.OptTiny, batch: 1, length: 0, multiprocessors: 132));
        Should.Throw<ArgumentOutOfRangeException>(() => DecodeSplit.For(FixtureSpecs.OptTiny, batch: 0, length: 5, multiprocessors: 132));
    }
}
