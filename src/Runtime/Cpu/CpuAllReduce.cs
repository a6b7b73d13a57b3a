using System;
using System.Numerics.Tensors;
using System.Threading;
using Kvpr.Backend;

namespace Kvpr.Cpu
{
    /// <summary>
    /// The all-reduce of N simulated CPU devices in one process, one thread per rank, as a reduce-scatter and an
    /// all-gather: each rank posts its region and waits for the others, adds its chunk (1/N of the length) of the N
    /// regions in rank order (so every rank gets the same bits, whatever the threads' timing) and writes that sum into
    /// every rank's region, then waits until every chunk is written. No other rank reads or writes a rank's chunk.
    /// </summary>
    internal sealed class CpuAllReduce : IDisposable
    {
        private readonly Barrier _barrier;
        private readonly CancellationTokenSource _abort = new();
        private readonly (float[] Data, int Offset, int Length)[] _posted;
        private readonly float[][] _sums;

        public CpuAllReduce(int ranks)
        {
            _barrier = new Barrier(ranks);
            _posted = new (float[], int, int)[ranks];
            _sums = new float[ranks][];
            for (int rank = 0; rank < ranks; rank++)
                _sums[rank] = Array.Empty<float>();
        }

        public int Ranks => _posted.Length;

        /// <summary>The group as rank <paramref name="rank"/> calls it.</summary>
        public IAllReduce Rank(int rank) => new Member(this, rank);

        /// <summary>Cancelled by <see cref="Abort"/>: whatever else a rank waits on for the others gives up with it.</summary>
        public CancellationToken Aborted => _abort.Token;

        /// <summary>Releases the ranks waiting for one that failed and will never arrive: their sums throw <see cref="OperationCanceledException"/>.</summary>
        public void Abort() => _abort.Cancel();

        public void Dispose()
        {
            _barrier.Dispose();
            _abort.Dispose();
        }

        private void Sum(int rank, DeviceMatrix rows)
        {
            int length = checked(rows.Rows * rows.Width);
            _posted[rank] = (CpuBuffer.Of(rows.Buffer).Data, checked((int)rows.Offset), length);
            _barrier.SignalAndWait(_abort.Token);

            for (int other = 0; other < Ranks; other++)
                if (_posted[other].Length != length)
                    throw new InvalidOperationException($"Rank {rank} sums {length} elements but rank {other} sums {_posted[other].Length}: the ranks' graphs are out of step.");
            int start = ChunkStart(length, rank), count = ChunkStart(length, rank + 1) - start;
            if (_sums[rank].Length < count)
                _sums[rank] = new float[count];
            var sum = _sums[rank].AsSpan(0, count);
            Region(0).Slice(start, count).CopyTo(sum);
            for (int other = 1; other < Ranks; other++)
                TensorPrimitives.Add(sum, Region(other).Slice(start, count), sum);
            for (int other = 0; other < Ranks; other++)
                sum.CopyTo(_posted[other].Data.AsSpan(_posted[other].Offset + start, count));
            _barrier.SignalAndWait(_abort.Token);
        }

        /// <summary>Where <paramref name="rank"/>'s chunk of <paramref name="length"/> elements starts: near-equal chunks in rank order.</summary>
        private int ChunkStart(int length, int rank) => (int)((long)length * rank / Ranks);

        private ReadOnlySpan<float> Region(int rank) => _posted[rank].Data.AsSpan(_posted[rank].Offset, _posted[rank].Length);

        private sealed class Member(CpuAllReduce group, int rank) : IAllReduce
        {
            public void Sum(IStream stream, DeviceMatrix rows) => group.Sum(rank, rows);
        }
    }
}
