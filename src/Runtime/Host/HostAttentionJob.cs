using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Kvpr.Host
{
    /// <summary>
    /// The two passes of one <see cref="HostAttention.Run"/>. Fold: a work item is one sequence's block of tokens, all heads,
    /// so its reads walk whole K and V rows in order (what the hardware prefetchers follow; a (sequence, KV head) item would
    /// read 2·HeadDim bytes per row at a stride of 2·KvDim); sequences are cut into enough blocks to give every core work.
    /// An item folds its tokens in sub-blocks: scores for the sub-block, their max, exponentials, then the V rows — the
    /// online softmax rescales the running sums only when a sub-block raises the max. Reduce: per sequence, the blocks'
    /// partials combine by log-sum-exp into the caller's Acc, Max and Sum. Scratch is native memory that grows and is kept.
    /// </summary>
    internal sealed unsafe class HostAttentionJob : IHostWork
    {
        private const int SubBlockTokens = 64;
        private const int MinBlockTokens = 32;
        // Several items per thread even out the threads' finishing times.
        private const int ItemsPerThread = 8;
        private const int CacheLineFloats = 16;

        private readonly HostWorkerPool _pool;
        private HostAttentionArgs _args;
        private int _blockTokens, _blocksPerSequence, _threadFloats, _partialFloats;
        private bool _reducing;
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
            // Per thread: a sub-block's scores for every head and four converted rows; per item: its partial softmax.
            _threadFloats = RoundToCacheLine((long)args.Heads * SubBlockTokens + (long)AttentionRowKernels.Tokens * args.HeadDim);
            _partialFloats = RoundToCacheLine((long)args.Heads * (args.HeadDim + 2));
            EnsureScratch((long)_pool.Threads * _threadFloats + (long)args.Batch * _blocksPerSequence * _partialFloats);

            _reducing = false;
            _pool.Run(this, args.Batch * _blocksPerSequence);
            _reducing = true;
            _pool.Run(this, args.Batch);
        }

        public void Execute(int item, int worker)
        {
            if (_reducing)
                Reduce(item);
            else
                Fold(item, worker);
        }

        private float* Partial(int item) => _scratch + (long)_pool.Threads * _threadFloats + (long)item * _partialFloats;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Fold(int item, int worker)
        {
            ref readonly var a = ref _args;
            int sequence = item / _blocksPerSequence;
            int first = a.Start + item % _blocksPerSequence * _blockTokens, end = Math.Min(a.End, first + _blockTokens);
            float* acc = Partial(item), max = acc + (long)a.Heads * a.HeadDim, sum = max + a.Heads;
            new Span<float>(acc, a.Heads * a.HeadDim).Clear();
            new Span<float>(max, a.Heads).Fill(float.NegativeInfinity);
            new Span<float>(sum, a.Heads).Clear();

            float* scores = _scratch + (long)worker * _threadFloats, rows = scores + a.Heads * SubBlockTokens;
            for (int subBlock = first; subBlock < end; subBlock += SubBlockTokens)
            {
                int count = Math.Min(SubBlockTokens, end - subBlock);
                Scores(sequence, subBlock, count, rows, scores);
                Exponentials(count, scores, acc, max, sum);
                AccumulateValues(sequence, subBlock, count, rows, scores, acc);
            }
        }

        /// <summary>scores[h][i] = q_h · k of token first + i, for i below count rounded up to four.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Scores(int sequence, int first, int count, float* rows, float* scores)
        {
            ref readonly var a = ref _args;
            int group = a.Heads / a.KvHeads;
            float* queries = a.Queries + (long)sequence * a.Heads * a.HeadDim;
            for (int i = 0; i < count; i += AttentionRowKernels.Tokens)
            {
                for (int kvHead = 0; kvHead < a.KvHeads; kvHead++)
                {
                    RowPointers(a.Keys, sequence, first + i, count - i, kvHead, rows, out float* k0, out float* k1, out float* k2, out float* k3);
                    for (int h = kvHead * group; h < (kvHead + 1) * group; h++)
                        AttentionRowKernels.Dot4(queries + (long)h * a.HeadDim, k0, k1, k2, k3, a.HeadDim, scores + h * SubBlockTokens + i);
                }
            }
        }

        /// <summary>
        /// Turns each head's scores into exp(score − max), raising the running max (and rescaling the running sums) first;
        /// the weights past count, up to the next multiple of four, become 0 so the last rows of a short sub-block add nothing.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Exponentials(int count, float* scores, float* acc, float* max, float* sum)
        {
            ref readonly var a = ref _args;
            int padded = (count + AttentionRowKernels.Tokens - 1) / AttentionRowKernels.Tokens * AttentionRowKernels.Tokens;
            for (int h = 0; h < a.Heads; h++)
            {
                var weights = new Span<float>(scores + h * SubBlockTokens, count);
                float newMax = MathF.Max(max[h], TensorPrimitives.Max<float>(weights));
                if (newMax > max[h] && sum[h] > 0)
                {
                    float scale = MathF.Exp(max[h] - newMax);
                    TensorPrimitives.Multiply(new ReadOnlySpan<float>(acc + (long)h * a.HeadDim, a.HeadDim), scale, new Span<float>(acc + (long)h * a.HeadDim, a.HeadDim));
                    sum[h] *= scale;
                }
                max[h] = newMax;
                TensorPrimitives.Subtract(weights, newMax, weights);
                TensorPrimitives.Exp(weights, weights);
                sum[h] += TensorPrimitives.Sum<float>(weights);
                new Span<float>(scores + h * SubBlockTokens + count, padded - count).Clear();
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void AccumulateValues(int sequence, int first, int count, float* rows, float* weights, float* acc)
        {
            ref readonly var a = ref _args;
            int group = a.Heads / a.KvHeads;
            for (int i = 0; i < count; i += AttentionRowKernels.Tokens)
            {
                for (int kvHead = 0; kvHead < a.KvHeads; kvHead++)
                {
                    RowPointers(a.Values, sequence, first + i, count - i, kvHead, rows, out float* v0, out float* v1, out float* v2, out float* v3);
                    for (int h = kvHead * group; h < (kvHead + 1) * group; h++)
                        AttentionRowKernels.Accumulate4(acc + (long)h * a.HeadDim, weights + h * SubBlockTokens + i, v0, v1, v2, v3, a.HeadDim);
                }
            }
        }

        /// <summary>
        /// fp32 rows of KV head <paramref name="kvHead"/> for four tokens from <paramref name="token"/>: the store's own rows when it
        /// holds fp32, else converted into <paramref name="rows"/>. Past the last token (<paramref name="available"/> &lt; 4) the last
        /// row repeats: its score is ignored and its weight is 0.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void RowPointers(void* store, int sequence, int token, int available, int kvHead, float* rows,
            out float* r0, out float* r1, out float* r2, out float* r3)
        {
            ref readonly var a = ref _args;
            long element = (long)sequence * a.SequenceStride + (long)token * a.KvDim + (long)kvHead * a.HeadDim;
            int last = available - 1;
            r0 = Row(store, element, rows);
            r1 = Row(store, element + Math.Min(1, last) * (long)a.KvDim, rows + a.HeadDim);
            r2 = Row(store, element + Math.Min(2, last) * (long)a.KvDim, rows + 2 * a.HeadDim);
            r3 = Row(store, element + Math.Min(3, last) * (long)a.KvDim, rows + 3 * a.HeadDim);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private float* Row(void* store, long element, float* converted)
        {
            if (_args.Element == HostElementType.Float32)
                return (float*)store + element;
            HostRowConversion.ToSingle((ushort*)store + element, _args.Element, converted, _args.HeadDim);
            return converted;
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
                    float weight = MathF.Exp(partial[(long)a.Heads * a.HeadDim + h] - max);
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
