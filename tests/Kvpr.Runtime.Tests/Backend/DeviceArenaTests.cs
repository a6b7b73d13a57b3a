using System;
using Kvpr.Backend;

namespace Kvpr.Runtime.Tests.Backend;

public sealed class DeviceArenaTests
{
    [Fact]
    public void Buffers_start_at_multiples_of_256_bytes_one_after_another()
    {
        var arena = new DeviceArena(4096);

        long?[] offsets = [arena.TryTake(1), arena.TryTake(256), arena.TryTake(257), arena.TryTake(0), arena.TryTake(100)];

        // 1 byte takes 256, 256 takes 256, 257 takes 512, an empty buffer still gets its own 256.
        offsets.ShouldBe(new long?[] { 0, 256, 512, 1024, 1280 });
        arena.UsedBytes.ShouldBe(1536);
    }

    [Fact]
    public void A_buffer_the_block_has_no_room_for_is_refused_and_takes_nothing()
    {
        var arena = new DeviceArena(1024);
        arena.TryTake(700).ShouldBe(0);

        arena.TryTake(300).ShouldBeNull();

        arena.UsedBytes.ShouldBe(768);
        arena.TryTake(256).ShouldBe(768);
        arena.TryTake(1).ShouldBeNull();
    }

    [Fact]
    public void A_block_sized_for_a_list_holds_exactly_that_list()
    {
        long[] sizes = [12, 4096, 255, 33_554_432, 2 * 2048 * 2, 1];
        long bytes = DeviceArena.BytesFor(sizes);
        var arena = new DeviceArena(bytes);

        foreach (long size in sizes)
            arena.TryTake(size).ShouldNotBeNull();

        // 256 + 4096 + 256 + 32 MiB + 8192 + 256
        bytes.ShouldBe(256 + 4096 + 256 + 33_554_432 + 8192 + 256);
        arena.UsedBytes.ShouldBe(bytes);
        arena.TryTake(1).ShouldBeNull();
    }

    [Fact]
    public void Negative_sizes_are_refused()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => new DeviceArena(-1));
        Should.Throw<ArgumentOutOfRangeException>(() => new DeviceArena(256).TryTake(-1));
    }
}
