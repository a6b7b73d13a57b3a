using System;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Kvpr.Host
{
    /// <summary>
    /// The rate of <see cref="HostAttention"/> in stored K and V bytes per second, on every core: a 16-bit store of a 7B
    /// model's decode step (batch 32, 1024 tokens, 4096 elements of K per token: 512 MiB of K and V), in 128-wide heads
    /// unless asked otherwise. Grouped query heads read a Llama-3-8B-like store instead: 8 KV heads a token, four times the
    /// sequences (the same 512 MiB); the rate per byte depends on the KV heads a row holds, not only on the group.
    /// </summary>
    public static unsafe class HostAttentionProbe
    {
        private const int Batch = 32, Tokens = 1024, KvDim = 4096, GroupedKvHeads = 8;
        private const long StoreElements = (long)Batch * Tokens * KvDim;

        /// <summary>The head width of the profile's figure.</summary>
        public const int DefaultHeadDim = 128;

        /// <summary>K and V bytes that one call reads.</summary>
        public const long BytesPerCall = 2 * StoreElements * sizeof(ushort);

        /// <summary>
        /// Measures a store of <paramref name="element"/> (fp16 or bf16) in heads of <paramref name="headDim"/> (a divisor of 4096),
        /// each KV head read by <paramref name="queryHeadsPerKvHead"/> query heads, for about <paramref name="budget"/>; K and V
        /// bytes per second, the median of calls.
        /// </summary>
        public static double MeasureBytesPerSecond(TimeSpan budget, Action<string> log, HostElementType element, int headDim, int queryHeadsPerKvHead = 1)
        {
            if (queryHeadsPerKvHead < 1)
                throw new ArgumentOutOfRangeException(nameof(queryHeadsPerKvHead), queryHeadsPerKvHead, "At least one query head reads each KV head.");
            if (element == HostElementType.Float32)
                throw new ArgumentException("The probe measures 16-bit stores (Float16 or BFloat16), not Float32.", nameof(element));
            if (headDim <= 0 || KvDim % headDim != 0)
                throw new ArgumentException($"The probe's head width must divide {KvDim}, but is {headDim}.", nameof(headDim));
            int kvHeads = queryHeadsPerKvHead > 1 ? GroupedKvHeads : KvDim / headDim, kvDim = kvHeads * headDim;
            int batch = (int)(StoreElements / ((long)Tokens * kvDim)), heads = kvHeads * queryHeadsPerKvHead, queryDim = heads * headDim;
            var pool = HostWorkerPool.Shared;
            using var keyMemory = new HostProbeBuffer(StoreElements * sizeof(ushort));
            using var valueMemory = new HostProbeBuffer(StoreElements * sizeof(ushort));
            ushort* keys = (ushort*)keyMemory.Pointer, values = (ushort*)valueMemory.Pointer;
            float* partials = (float*)NativeMemory.AlignedAlloc((nuint)(2 * batch * queryDim + 2 * batch * heads) * sizeof(float), 64);
            try
            {
                pool.Run(batch, sequence =>
                {
                    Fill(keys + (long)sequence * Tokens * kvDim, Tokens * kvDim, sequence, element);
                    Fill(values + (long)sequence * Tokens * kvDim, Tokens * kvDim, ~sequence, element);
                });
                float* queries = partials + batch * queryDim;
                var random = new Random(1);
                for (int i = 0; i < batch * queryDim; i++)
                    queries[i] = (random.NextSingle() * 2 - 1) / MathF.Sqrt(headDim);
                var args = new HostAttentionArgs
                {
                    Queries = queries, Keys = keys, Values = values, Element = element, SequenceStride = (long)Tokens * kvDim,
                    Batch = batch, Heads = heads, KvHeads = kvHeads, HeadDim = headDim, Start = 0, End = Tokens,
                    Acc = partials, Max = queries + batch * queryDim, Sum = queries + batch * queryDim + batch * heads,
                };
                double rate = BytesPerCall / HostTiming.MedianSeconds(() => HostAttention.Run(args), budget);
                string name = element == HostElementType.Float16 ? "fp16" : "bf16";
                string grouping = queryHeadsPerKvHead > 1 ? $" read by {queryHeadsPerKvHead} query heads each" : "";
                log(string.Create(CultureInfo.InvariantCulture,
                    $"CPU attention: {rate / 1e9:F1} GB/s of {name} K and V ({pool.Threads} threads; batch {batch}, {kvHeads} heads of {headDim}{grouping}, {Tokens} tokens)"));
                return rate;
            }
            finally
            {
                NativeMemory.AlignedFree(partials);
            }
        }

        /// <summary>Values of magnitude in [0.5, 1) and either sign, from a multiplicative hash: cheap, and no two rows alike.</summary>
        private static void Fill(ushort* destination, long count, int seed, HostElementType element)
        {
            // 0.5 and the mantissa bits below it, in fp16 or bf16.
            var (half, mantissaShift) = element == HostElementType.Float16 ? ((ushort)0x3800, 22) : ((ushort)0x3F00, 25);
            for (long i = 0; i < count; i++)
            {
                uint hash = (uint)(i + seed * count) * 2654435761u;
                destination[i] = (ushort)(half | (hash >> mantissaShift) | (hash >> 16 & 0x8000));
            }
        }
    }
}
