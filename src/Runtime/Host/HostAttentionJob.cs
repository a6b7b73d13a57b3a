using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Threading;

namespace Kvpr.Host
{
    /// <summary>
    /// One <see cref="HostAttention.Run"/>. Fold: a work item is one sequence's block of tokens, all heads,
    /// so its reads walk whole K and V rows in order (what the hardware prefetchers follow; a (sequence, KV head) item would
    /// read 2*HeadDim bytes per row at a stride of 2*KvDim); sequences are cut into enough blocks to give every core work.
    /// An item folds its tokens in sub-blocks: scores for the sub-block, their max, exponentials, then the V rows - the
    /// online softmax rescales the running sums only when a sub-block raises the max. Reduce: the thread that folds a
    /// sequence's last block combines its blocks' partials by log-sum-exp into the caller's Acc, Max and Sum, so a call
    /// wakes the pool once. Scratch is native memory that grows and is kept.
    /// </summary>
    internal sealed unsafe class HostAttentionJob : IHostWork
    {
        // The kernels' rows per call.
        private const int Tokens = 4;
        private const int SubBlockTokens = 64;
        private const int MinBlockTokens = 32;
        // Several items per thread even out the threads' finishing times.
        private const int ItemsPerThread = 8;
        private const int CacheLineFloats = 16;
        // A weight below e^-40 of the running max is 0: N of them would change a sum that holds a weight of 1 by less than
        // N * 4.3e-18, and every weight and product with V stays normal. Weights left to underflow, or raised to a floor,
        // give subnormal results (equal tiny products cancel), and subnormal operands or results take a microcode assist
        // on Intel cores: with scores spread over hundreds (random weights of real widths) the kernel ran at a third of its rate.
        private const float Cutoff = -40f;

        private readonly HostWorkerPool _pool;
        private HostAttentionArgs _args;
        private int _blockTokens, _blocksPerSequence, _threadFloats, _partialFloats;
        // Per sequence: its blocks not folded yet.
        private int[] _blocksLeft = [];
        private float* _scratch;
        private long _scratchFloats;

        public HostAttentionJob(HostWorkerPool pool) => _pool = pool;

        /// <summary>Runs the validated, non-empty <paramref name="args"/>.</summary>
        public void Run(in HostAttentionArgs args)
        {
            _args = args;
            int tokens = args.End - args.Start;
            int wanted = Math.Max(1, (ItemsPerThread * _pool.Threads + args.Batch - 1) / args.Batch);
            int blocks = Math.Clamp(wanted, 1, Math.Max(1, tokens / MinBlockTokens));
            _blockTokens = (tokens + blocks - 1) / blocks;
            _blocksPerSequence = (tokens + _blockTokens - 1) / _blockTokens;
            // Per thread: a sub-block's scores for every head; per item: its partial softmax.
            _threadFloats = RoundToCacheLine((long)args.Heads * SubBlockTokens);
            _partialFloats = RoundToCacheLine((long)args.Heads * (args.HeadDim + 2));
            EnsureScratch((long)_pool.Threads * _threadFloats + (long)args.Batch * _blocksPerSequence * _partialFloats);

            if (_blocksLeft.Length < args.Batch)
                _blocksLeft = new int[args.Batch];
            Array.Fill(_blocksLeft, _blocksPerSequence, 0, args.Batch);
            _pool.Run(this, args.Batch * _blocksPerSequence);
        }

        public void Execute(int item, int worker)
        {
            if (_args.Element == HostElementType.Float16)
                Fold<Float16Lanes, Float16Lanes.Finite>(item, worker);
            else if (_args.Element == HostElementType.BFloat16)
                Fold<BFloat16Lanes, BFloat16Lanes>(item, worker);
            else
                Fold<Float32Lanes, Float32Lanes>(item, worker);
            // The interlocked count is a full fence: the thread that folds a sequence's last block sees the others' partials.
            int sequence = item / _blocksPerSequence;
            if (Interlocked.Decrement(ref _blocksLeft[sequence]) == 0)
                Reduce(sequence);
        }

        private float* Partial(int item) => _scratch + (long)_pool.Threads * _threadFloats + (long)item * _partialFloats;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Fold<TLanes, TFinite>(int item, int worker)
            where TLanes : struct, IStoredLanes
            where TFinite : struct, IStoredLanes
        {
            ref readonly var a = ref _args;
            int sequence = item / _blocksPerSequence;
            int first = a.Start + item % _blocksPerSequence * _blockTokens, end = Math.Min(a.End, first + _blockTokens);
            float* acc = Partial(item), max = acc + (long)a.Heads * a.HeadDim, sum = max + a.Heads;
            new Span<float>(acc, a.Heads * a.HeadDim).Clear();
            new Span<float>(max, a.Heads).Fill(float.NegativeInfinity);
            new Span<float>(sum, a.Heads).Clear();

            float* scores = _scratch + (long)worker * _threadFloats;
            for (int subBlock = first; subBlock < end; subBlock += SubBlockTokens)
            {
                int count = Math.Min(SubBlockTokens, end - subBlock);
                Pass<TLanes, TFinite>(values: false, sequence, subBlock, count, scores, acc);
                Exponentials(count, scores, acc, max, sum);
                Pass<TLanes, TFinite>(values: true, sequence, subBlock, count, scores, acc);
            }
        }

        /// <summary>
        /// One pass over the sub-block's tokens, four at a time: K's (<paramref name="values"/> false) gives scores[h][i] = q_h
        /// dot k of token first + i, for i below count rounded up to four; V's adds each head's weighted rows to its accumulator.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Pass<TLanes, TFinite>(bool values, int sequence, int first, int count, float* scores, float* acc)
            where TLanes : struct, IStoredLanes
            where TFinite : struct, IStoredLanes
        {
            ref readonly var a = ref _args;
            int group = a.Heads / a.KvHeads;
            float* queries = a.Queries + (long)sequence * a.Heads * a.HeadDim;
            nint ahead = (nint)Tokens * a.KvDim * TLanes.ElementBytes;
            for (int i = 0; i < count; i += Tokens)
            {
                Rows(values ? a.Values : a.Keys, TLanes.ElementBytes, sequence, first + i, count - i, out void* r0, out void* r1, out void* r2, out void* r3);
                if (values)
                    AttentionRowKernels<TLanes, TFinite>.Accumulate4(acc, scores + i, SubBlockTokens, r0, r1, r2, r3, ahead, a.KvHeads, group, a.HeadDim);
                else
                    AttentionRowKernels<TLanes, TFinite>.Dot4(queries, r0, r1, r2, r3, ahead, a.KvHeads, group, a.HeadDim, scores + i, SubBlockTokens);
            }
        }

        /// <summary>
        /// Turns each head's scores into weights (<see cref="Weight"/> of score - max), raising the running max (and
        /// rescaling the running sums) first; the weights past count, up to the next multiple of four, become 0 so the last
        /// rows of a short sub-block add nothing.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Exponentials(int count, float* scores, float* acc, float* max, float* sum)
        {
            ref readonly var a = ref _args;
            int padded = (count + Tokens - 1) / Tokens * Tokens;
            for (int h = 0; h < a.Heads; h++)
            {
                float* weights = scores + h * SubBlockTokens;
                float newMax = MathF.Max(max[h], TensorPrimitives.Max<float>(new ReadOnlySpan<float>(weights, count)));
                if (newMax > max[h] && sum[h] > 0)
                {
                    float scale = Weight(max[h] - newMax);
                    TensorPrimitives.Multiply(new ReadOnlySpan<float>(acc + (long)h * a.HeadDim, a.HeadDim), scale, new Span<float>(acc + (long)h * a.HeadDim, a.HeadDim));
                    sum[h] *= scale;
                }
                max[h] = newMax;
                sum[h] += Weights(weights, count, newMax);
                new Span<float>(weights + count, padded - count).Clear();
            }
        }

        /// <summary>scores[i] = <see cref="Weight"/>(scores[i] - max) for i below count; returns their sum.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static float Weights(float* scores, int count, float max)
        {
            int i = 0;
            float total = 0;
            if (Vector256.IsHardwareAccelerated)
            {
                Vector256<float> cutoff = Vector256.Create(Cutoff), sums = Vector256<float>.Zero;
                for (; i + Vector256<float>.Count <= count; i += Vector256<float>.Count)
                {
                    Vector256<float> exponent = Vector256.Load(scores + i) - Vector256.Create(max);
                    // The exponential runs on the cutoff instead (its own narrowing to fp32 would make subnormals).
                    // NaN is not below it and stays NaN.
                    Vector256<float> below = Vector256.LessThan(exponent, cutoff);
                    Vector256<float> weight = Vector256.AndNot(Vector256.Exp(Vector256.ConditionalSelect(below, cutoff, exponent)), below);
                    weight.Store(scores + i);
                    sums += weight;
                }
                total = Vector256.Sum(sums);
            }
            for (; i < count; i++)
            {
                scores[i] = Weight(scores[i] - max);
                total += scores[i];
            }
            return total;
        }

        /// <summary>e^<paramref name="exponent"/>, or 0 below <see cref="Cutoff"/>.</summary>
        private static float Weight(float exponent) => exponent < Cutoff ? 0 : MathF.Exp(exponent);

        /// <summary>
        /// Every KV head's rows of four tokens from <paramref name="token"/>, as stored; past the last token
        /// (<paramref name="available"/> &lt; 4) the last row repeats: its score is ignored and its weight is 0.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Rows(void* store, int elementBytes, int sequence, int token, int available, out void* r0, out void* r1, out void* r2, out void* r3)
        {
            ref readonly var a = ref _args;
            byte* row = (byte*)store + ((long)sequence * a.SequenceStride + (long)token * a.KvDim) * elementBytes;
            long stride = (long)a.KvDim * elementBytes;
            int last = available - 1;
            r0 = row;
            r1 = row + Math.Min(1, last) * stride;
            r2 = row + Math.Min(2, last) * stride;
            r3 = row + Math.Min(3, last) * stride;
        }

        /// <summary>Combines the blocks of one sequence by log-sum-exp into the caller's outputs.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Reduce(int sequence)
        {
            ref readonly var a = ref _args;
            for (int h = 0; h < a.Heads; h++)
            {
                long row = (long)sequence * a.Heads + h;
                var output = new Span<float>(a.Acc + row * a.HeadDim, a.HeadDim);
                float max = float.NegativeInfinity, sum = 0;
                for (int block = 0; block < _blocksPerSequence; block++)
                    max = MathF.Max(max, Partial(sequence * _blocksPerSequence + block)[(long)a.Heads * a.HeadDim + h]);
                output.Clear();
                for (int block = 0; block < _blocksPerSequence; block++)
                {
                    float* partial = Partial(sequence * _blocksPerSequence + block);
                    float weight = Weight(partial[(long)a.Heads * a.HeadDim + h] - max);
                    sum += weight * partial[(long)a.Heads * a.HeadDim + a.Heads + h];
                    TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>(partial + (long)h * a.HeadDim, a.HeadDim), weight, output, output);
                }
                a.Max[row] = max;
                a.Sum[row] = sum;
            }
        }

        private static int RoundToCacheLine(long floats)
        {
            long rounded = (floats + CacheLineFloats - 1) / CacheLineFloats * CacheLineFloats;
            return rounded <= int.MaxValue ? (int)rounded : throw new ArgumentException($"CPU attention scratch of {floats} floats per thread or block is too large.");
        }

        private void EnsureScratch(long floats)
        {
            if (floats <= _scratchFloats)
                return;
            NativeMemory.AlignedFree(_scratch);
            _scratch = null;
            _scratchFloats = 0;
            _scratch = (float*)NativeMemory.AlignedAlloc((nuint)floats * sizeof(float), 64);
            _scratchFloats = floats;
        }
    }
}
