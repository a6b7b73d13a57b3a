using System;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Kvpr.Host
{
    /// <summary>
    /// The rate of <see cref="HostAttention"/> in stored K and V bytes per second, on every core: an fp16 store of
    /// 128-wide heads (batch 32, 32 heads, 1024 tokens: 512 MiB of K and V), the shape of a 7B model's decode step.
    /// </summary>
    public static unsafe class HostAttentionProbe
    {
        private const int Batch = 32, Heads = 32, HeadDim = 128, Tokens = 1024;
        private const int KvDim = Heads * HeadDim;
        private const long StoreElements = (long)Batch * Tokens * KvDim;

        /// <summary>K and V bytes that one call reads.</summary>
        public const long BytesPerCall = 2 * StoreElements * sizeof(ushort);

        /// <summary>Measures for about <paramref name="budget"/>; K and V bytes per second, the median of calls.</summary>
        public static double MeasureBytesPerSecond(TimeSpan budget, Action<string> log)
        {
            var pool = HostWorkerPool.Shared;
            using var keyMemory = new HostProbeBuffer(StoreElements * sizeof(ushort));
            using var valueMemory = new HostProbeBuffer(StoreElements * sizeof(ushort));
            ushort* keys = (ushort*)keyMemory.Pointer, values = (ushort*)valueMemory.Pointer;
            float* partials = (float*)NativeMemory.AlignedAlloc((nuint)(2 * Batch * Heads * HeadDim + 2 * Batch * Heads) * sizeof(float), 64);
            try
            {
                pool.Run(Batch, sequence =>
                {
                    FillHalves(keys + (long)sequence * Tokens * KvDim, Tokens * KvDim, sequence);
                    FillHalves(values + (long)sequence * Tokens * KvDim, Tokens * KvDim, ~sequence);
                });
                float* queries = partials + Batch * Heads * HeadDim;
                var random = new Random(1);
                for (int i = 0; i < Batch * Heads * HeadDim; i++)
                    queries[i] = (random.NextSingle() * 2 - 1) / MathF.Sqrt(HeadDim);
                var args = new HostAttentionArgs
                {
                    Queries = queries, Keys = keys, Values = values, Element = HostElementType.Float16, SequenceStride = (long)Tokens * KvDim,
                    Batch = Batch, Heads = Heads, KvHeads = Heads, HeadDim = HeadDim, Start = 0, End = Tokens,
                    Acc = partials, Max = queries + Batch * Heads * HeadDim, Sum = queries + Batch * Heads * HeadDim + Batch * Heads,
                };
                double rate = BytesPerCall / HostTiming.MedianSeconds(() => HostAttention.Run(args), budget);
                log(string.Create(CultureInfo.InvariantCulture,
                    $"CPU attention: {rate / 1e9:F1} GB/s of fp16 K and V ({pool.Threads} threads; batch {Batch}, {Heads} heads of {HeadDim}, {Tokens} tokens)"));
                return rate;
            }
            finally
            {
                NativeMemory.AlignedFree(partials);
            }
        }

        /// <summary>Halves of magnitude in [0.5, 1) and either sign, from a multiplicative hash: cheap, and no two rows alike.</summary>
        private static void FillHalves(ushort* destination, long count, int seed)
        {
            const ushort HalfOfOne = 0x3800;
            for (long i = 0; i < count; i++)
            {
                uint hash = (uint)(i + seed * count) * 2654435761u;
                destination[i] = (ushort)(HalfOfOne | (hash >> 22) | (hash >> 16 & 0x8000));
            }
        }
    }
}
