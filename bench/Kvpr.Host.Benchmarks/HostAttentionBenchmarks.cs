using System;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;

namespace Kvpr.Host.Benchmarks
{
    /// <summary>
    /// One <see cref="HostAttention.Run"/> over a 16-bit store of 4096 K elements a token (a 7B model's layer), batch 8 and
    /// 1024 tokens: 128 MiB of K and V, far beyond the caches, so a call reads memory as a decode step does. Grouped query
    /// heads read a Llama-3-8B-like store of the same size instead, as the profile's probe does: 8 KV heads a token, four
    /// times the sequences. Divide <see cref="BytesPerCall"/> by the time for the rate that <c>kvpr profile --host-only</c> prints.
    /// </summary>
    public unsafe class HostAttentionBenchmarks
    {
        private const int Batch = 8, Tokens = 1024, KvDim = 4096, GroupedKvHeads = 8;
        private const long StoreElements = (long)Batch * Tokens * KvDim;

        /// <summary>K and V bytes one call reads.</summary>
        public const long BytesPerCall = 2 * StoreElements * sizeof(ushort);

        private ushort* _keys, _values;
        private float* _floats;
        private HostAttentionArgs _args;

        [Params(HostElementType.Float16, HostElementType.BFloat16)]
        public HostElementType Element { get; set; }

        [Params(64, 128)]
        public int HeadDim { get; set; }

        /// <summary>Query heads per KV head: 1 for multi-head attention, 4 for Llama-3-8B's grouped queries.</summary>
        [Params(1, 4)]
        public int Group { get; set; }

        [GlobalSetup]
        public void Setup()
        {
            int kvHeads = Group == 1 ? KvDim / HeadDim : GroupedKvHeads, heads = kvHeads * Group, kvDim = kvHeads * HeadDim;
            int batch = (int)(StoreElements / ((long)Tokens * kvDim)), rows = batch * heads;
            _keys = (ushort*)NativeMemory.AlignedAlloc((nuint)StoreElements * sizeof(ushort), 64);
            _values = (ushort*)NativeMemory.AlignedAlloc((nuint)StoreElements * sizeof(ushort), 64);
            _floats = (float*)NativeMemory.AlignedAlloc((nuint)(2 * rows * HeadDim + 2 * rows) * sizeof(float), 64);
            var random = new Random(1);
            // Values in [-1, 1): what a layer's K and V hold, in the store's format.
            for (long i = 0; i < StoreElements; i++)
            {
                _keys[i] = Stored(random.NextSingle() * 2 - 1);
                _values[i] = Stored(random.NextSingle() * 2 - 1);
            }
            float* queries = _floats + rows * HeadDim;
            for (int i = 0; i < rows * HeadDim; i++)
                queries[i] = (random.NextSingle() * 2 - 1) / MathF.Sqrt(HeadDim);
            _args = new HostAttentionArgs
            {
                Queries = queries, Keys = _keys, Values = _values, Element = Element, SequenceStride = (long)Tokens * kvDim,
                Batch = batch, Heads = heads, KvHeads = kvHeads, HeadDim = HeadDim, Start = 0, End = Tokens,
                Acc = _floats, Max = queries + rows * HeadDim, Sum = queries + rows * HeadDim + rows,
            };
        }

        [GlobalCleanup]
        public void Cleanup()
        {
            NativeMemory.AlignedFree(_keys);
            NativeMemory.AlignedFree(_values);
            NativeMemory.AlignedFree(_floats);
        }

        [Benchmark]
        public void Attend() => HostAttention.Run(_args);

        private ushort Stored(float value) => Element == HostElementType.Float16
            ? BitConverter.HalfToUInt16Bits((Half)value)
            : (ushort)(BitConverter.SingleToUInt32Bits(value) >> 16);
    }
}
