using System;
using System.Linq;
using System.Threading;
using Kvpr.Backend;
using Kvpr.Cpu;

namespace Kvpr.Runtime.Tests.Cpu;

/// <summary>The in-process all-reduce of the CPU backend's simulated ranks.</summary>
public class CpuAllReduceTests
{
    [Fact]
    public void Every_rank_gets_the_sum_of_the_ranks_regions_added_in_rank_order()
    {
        const int Ranks = 3, Width = 5;
        using var group = new CpuAllReduce(Ranks);
        // Each rank's region starts at a different offset of its buffer; the values are chosen so the rank order of the adds shows in float32.
        // A sentinel follows each region; the sum is 10 elements, so the ranks' chunks (3, 3, 4) differ in size.
        const float Sentinel = 7f;
        var buffers = Enumerable.Range(0, Ranks).Select(rank => new CpuBuffer(new float[rank + 2 * Width + 1])).ToArray();
        for (int rank = 0; rank < Ranks; rank++)
        {
            for (int i = 0; i < 2 * Width; i++)
                buffers[rank].Data[rank + i] = rank == 0 ? 1e8f : rank == 1 ? -1e8f : 1f + i;
            buffers[rank].Data[rank + 2 * Width] = Sentinel;
        }

        var threads = Enumerable.Range(0, Ranks).Select(rank => new Thread(() =>
            group.Rank(rank).Sum(new CpuStream(), new DeviceMatrix(buffers[rank], rank, 2, 1, 1, Width)))).ToArray();
        foreach (var thread in threads)
            thread.Start();
        foreach (var thread in threads)
            thread.Join();

        for (int rank = 0; rank < Ranks; rank++)
        {
            buffers[rank].Data.Skip(rank).Take(2 * Width).ShouldBe(Enumerable.Range(0, 2 * Width).Select(i => (1e8f + -1e8f) + (1f + i)), $"rank {rank}");
            buffers[rank].Data.Take(rank).ShouldAllBe(value => value == 0f, $"rank {rank}, before its region");
            buffers[rank].Data[rank + 2 * Width].ShouldBe(Sentinel, $"rank {rank}, after its region");
        }
    }

    [Fact]
    public void Aborting_releases_a_rank_waiting_for_one_that_never_comes()
    {
        using var group = new CpuAllReduce(2);
        Exception? failure = null;
        var waiting = new Thread(() =>
        {
            try
            {
                group.Rank(0).Sum(new CpuStream(), new DeviceMatrix(new CpuBuffer(new float[4]), 0, 1, 1, 1, 4));
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        waiting.Start();

        group.Abort();
        waiting.Join();

        failure.ShouldBeOfType<OperationCanceledException>();
    }
}
