using System;

namespace Kvpr.Kernels.Tests;

public class DecodePartitionsTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    [InlineData(64)]
    public void Partitions_cover_the_sequence_without_an_empty_partition(int batch)
    {
        var spec = FixtureSpecs.Opt6_7B;
        int maxPartitions = DecodePartitions.MaxPartitions(spec, batch, multiprocessors: 132);
        for (int length = 1; length <= 5000; length += 7)
        {
            var partitions = DecodePartitions.For(spec, batch, length, multiprocessors: 132);
            (partitions.TokensPerPartition % 64).ShouldBe(0);
            partitions.TokensPerPartition.ShouldBeGreaterThanOrEqualTo(128);
            ((long)partitions.Count * partitions.TokensPerPartition).ShouldBeGreaterThanOrEqualTo(length);
            ((long)(partitions.Count - 1) * partitions.TokensPerPartition).ShouldBeLessThan(length);
            partitions.Count.ShouldBeLessThanOrEqualTo(maxPartitions);
        }
    }

    [Fact]
    public void A_long_context_fills_the_gpu_with_several_waves_and_a_short_one_is_one_partition()
    {
        var spec = FixtureSpecs.Opt6_7B; // 32 heads, one a block: 32 blocks per partition and sequence
        // One sequence: 16 × 132 / 32 → 66 partitions wanted; 4096 / 66 → 63 tokens, but no partition is shorter than 128.
        DecodePartitions.For(spec, batch: 1, length: 4096, multiprocessors: 132).ShouldBe(new DecodePartitions(128, 32));
        DecodePartitions.For(spec, batch: 1, length: 40, multiprocessors: 132).ShouldBe(new DecodePartitions(128, 1));
        // 32 sequences: 1024 blocks per partition, 16 × 132 / 1024 → 3 partitions; 1031 / 3 → 344, rounded up to 384.
        DecodePartitions.For(spec, batch: 32, length: 1031, multiprocessors: 132).ShouldBe(new DecodePartitions(384, 3));
        DecodePartitions.For(spec, batch: 32, length: 4096, multiprocessors: 132).ShouldBe(new DecodePartitions(1408, 3));
        DecodePartitions.For(spec, batch: 128, length: 4096, multiprocessors: 132).ShouldBe(new DecodePartitions(4096, 1));
    }

    [Theory]
    [InlineData("opt-6.7b", 6)]
    [InlineData("opt-6.7b", 40)]
    [InlineData("llama-tiny-gqa", 33)]
    public void Partial_buffers_sized_for_the_largest_batch_hold_every_smaller_one(string model, int maxBatch)
    {
        // The runtime sizes partial_acc once, as maxBatch × HEADS × MaxPartitions(maxBatch) rows, and launches smaller
        // batches into it: a smaller batch takes more partitions, and batch × partitions must still fit.
        var spec = FixtureSpecs.Get(model);
        long capacity = (long)maxBatch * DecodePartitions.MaxPartitions(spec, maxBatch, multiprocessors: 132);
        for (int batch = 1; batch <= maxBatch; batch++)
        {
            foreach (int length in new[] { 1, 127, 1000, 5000, 100_000 })
                ((long)batch * DecodePartitions.For(spec, batch, length, multiprocessors: 132).Count).ShouldBeLessThanOrEqualTo(capacity, $"batch {batch}, {length} tokens");
        }
    }

    [Fact]
    public void Nonsense_sizes_are_refused()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => DecodePartitions.For(FixtureSpecs.OptTiny, batch: 1, length: 0, multiprocessors: 132));
        Should.Throw<ArgumentOutOfRangeException>(() => DecodePartitions.For(FixtureSpecs.OptTiny, batch: 0, length: 5, multiprocessors: 132));
    }
}
