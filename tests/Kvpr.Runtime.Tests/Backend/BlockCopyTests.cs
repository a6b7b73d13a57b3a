using System;
using System.Linq;
using Kvpr.Backend;
using Kvpr.Cpu;

namespace Kvpr.Runtime.Tests.Backend;

public sealed class BlockCopyTests
{
    [Fact]
    public void Tokens_of_every_sequence_move_block_by_block_and_nothing_else_is_written()
    {
        // Tokens [1, 3) of 3 sequences of [3][4][2] into a [3][2][2] buffer: 4 elements per block.
        var blocks = new BlockCopy(SourceOffset: 2, SourceStride: 8, DestinationOffset: 0, DestinationStride: 4, Elements: 4, Blocks: 3);
        using var device = new CpuDevice();
        var source = device.AllocateHost(24);
        var destination = device.Allocate(13);
        Enumerable.Range(0, 24).Select(i => (float)i).ToArray().CopyTo(((CpuBuffer)source).Data, 0);
        Array.Fill(((CpuBuffer)destination).Data, -1f);

        device.CopyToDevice(new CpuStream(), source, destination, blocks);

        ((CpuBuffer)destination).Data.ShouldBe(new float[] { 2, 3, 4, 5, 10, 11, 12, 13, 18, 19, 20, 21, -1 });
        blocks.TotalElements.ShouldBe(12);
        blocks.SourceEnd.ShouldBe(22);
        blocks.DestinationEnd.ShouldBe(12);
        blocks.IsContiguous.ShouldBeFalse();
    }

    [Fact]
    public void Back_to_back_blocks_are_one_contiguous_copy()
    {
        new BlockCopy(0, 6, 10, 6, 6, 4).IsContiguous.ShouldBeTrue();
        new BlockCopy(0, 0, 0, 0, 6, 1).IsContiguous.ShouldBeTrue();
    }

    [Fact]
    public void Overlapping_blocks_and_negative_sizes_are_refused()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => new BlockCopy(0, 3, 0, 8, 4, 2).Validate()).Message.ShouldContain("overlap");
        Should.Throw<ArgumentOutOfRangeException>(() => new BlockCopy(0, 8, 0, 8, -1, 2).Validate());
    }
}
