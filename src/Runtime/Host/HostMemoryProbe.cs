using System;
using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Kvpr.Host
{
    /// <summary>
    /// Host memory read bandwidth with every core reading: each thread sums its share of a buffer far larger than the
    /// caches (a quarter of the available memory, between 1 and 4 GiB, in huge pages as the store is). The bound that the link's DMA reads of the host
    /// store and CPU attention share.
    /// </summary>
    public static unsafe class HostMemoryProbe
    {
        private const long GiB = 1L << 30;
        private const long ChunkBytes = 16L << 20;

        /// <summary>Measures for about <paramref name="budget"/>; bytes read per second, the median of full passes.</summary>
        public static double MeasureReadBytesPerSecond(TimeSpan budget, Action<string> log)
        {
            long bytes = Math.Clamp(HostMemoryInfo.AvailableBytes / 4, GiB, 4 * GiB) / ChunkBytes * ChunkBytes;
            int chunks = (int)(bytes / ChunkBytes);
            var pool = HostWorkerPool.Shared;
            using var memory = new HostProbeBuffer(bytes);
            byte* buffer = memory.Pointer;
            var sums = new ulong[chunks];
            // Written by the threads that read it, so its pages are spread as the readers are.
            pool.Run(chunks, chunk => new Span<byte>(buffer + chunk * ChunkBytes, (int)ChunkBytes).Fill((byte)chunk));
            double seconds = HostTiming.MedianSeconds(() => pool.Run(chunks, chunk => sums[chunk] = Sum((ulong*)(buffer + chunk * ChunkBytes), ChunkBytes / sizeof(ulong))), budget);
            double bandwidth = bytes / seconds;
            log(string.Create(CultureInfo.InvariantCulture,
                $"host memory read: {bandwidth / 1e9:F1} GB/s ({pool.Threads} threads summing {bytes / GiB:F0} GiB)"));
            return bandwidth;
        }

        /// <summary>Four independent vector sums, so the adds never wait on each other and only memory limits the pace.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static ulong Sum(ulong* words, long count)
        {
            Vector<ulong> s0 = Vector<ulong>.Zero, s1 = Vector<ulong>.Zero, s2 = Vector<ulong>.Zero, s3 = Vector<ulong>.Zero;
            int width = Vector<ulong>.Count;
            for (long i = 0; i + 4 * width <= count; i += 4 * width)
            {
                s0 += Vector.Load(words + i);
                s1 += Vector.Load(words + i + width);
                s2 += Vector.Load(words + i + 2 * width);
                s3 += Vector.Load(words + i + 3 * width);
            }
            return Vector.Sum(s0 + s1 + s2 + s3);
        }
    }
}
