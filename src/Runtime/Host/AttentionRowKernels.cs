using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Kvpr.Host
{
    /// <summary>
    /// The two inner loops of CPU attention, four stored rows at a time, each row widened to fp32 in registers as it is
    /// read (no fp32 copy of a row is written). A KV head's slices of the four rows serve the group of query heads that
    /// read it together: the block kernels hold 8 register accumulators (scores and V: 4 query heads x 2 rows,
    /// then 2 x 4, 1 x 4), so each widened row vector feeds every head of the block through independent FMA chains,
    /// and a block's scores are reduced together. With one query head per KV head (MHA) it is the 1 x 4 kernel alone.
    /// The slices take the cheaper <typeparamref name="TFinite"/> lanes when <typeparamref name="TLanes"/> finds them free
    /// of inf and NaN (read then, they stay in the L1 cache for the kernel), else <typeparamref name="TLanes"/>. The last
    /// HeadDim % 8 elements, and all of them without vector hardware, go element by element with the exact scalar conversion.
    /// </summary>
    internal static unsafe class AttentionRowKernels<TLanes, TFinite>
        where TLanes : struct, IStoredLanes
        where TFinite : struct, IStoredLanes
    {
        private const int Lanes = 8;
        private const int CacheLineBytes = 64;

        /// <summary>
        /// For <paramref name="kvHeads"/> consecutive KV heads of <paramref name="headDim"/> elements in the four rows, each
        /// read by <paramref name="group"/> consecutive query heads of <paramref name="q"/>: query head h's four scores
        /// q_h dot k_c, <paramref name="scoreStride"/> floats after head h - 1's. One call walks whole rows, so the
        /// per-call work is paid once a row rather than once a head. Each slice is also fetched <paramref name="ahead"/> bytes on
        /// (the next four rows): the prefetchers alone left a third of a grouped call waiting on the first read of a slice.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void Dot4(float* q, void* k0, void* k1, void* k2, void* k3, nint ahead, int kvHeads, int group, int headDim, float* scores, int scoreStride)
        {
            nint rowStep = (nint)headDim * TLanes.ElementBytes, queryStep = (nint)group * headDim, scoreStep = (nint)group * scoreStride;
            for (int h = 0; h < kvHeads; h++)
            {
                byte* r0 = (byte*)k0 + h * rowStep, r1 = (byte*)k1 + h * rowStep, r2 = (byte*)k2 + h * rowStep, r3 = (byte*)k3 + h * rowStep;
                Prefetch(r0 + ahead, r1 + ahead, r2 + ahead, r3 + ahead, rowStep);
                if (TLanes.AreFinite(r0, r1, r2, r3, headDim))
                    GroupDot4<TFinite>(q + h * queryStep, r0, r1, r2, r3, group, headDim, scores + h * scoreStep, scoreStride);
                else
                    GroupDot4<TLanes>(q + h * queryStep, r0, r1, r2, r3, group, headDim, scores + h * scoreStep, scoreStride);
            }
        }

        /// <summary>
        /// For <paramref name="kvHeads"/> consecutive KV heads, each read by <paramref name="group"/> consecutive query heads:
        /// query head h's accumulator += the sum over c of its weights[c] * v_c, its weights <paramref name="weightStride"/>
        /// floats after head h - 1's; each slice is fetched <paramref name="ahead"/> bytes on, as in <see cref="Dot4"/>.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void Accumulate4(float* acc, float* weights, int weightStride, void* v0, void* v1, void* v2, void* v3, nint ahead, int kvHeads, int group, int headDim)
        {
            nint rowStep = (nint)headDim * TLanes.ElementBytes, accStep = (nint)group * headDim, weightStep = (nint)group * weightStride;
            for (int h = 0; h < kvHeads; h++)
            {
                byte* r0 = (byte*)v0 + h * rowStep, r1 = (byte*)v1 + h * rowStep, r2 = (byte*)v2 + h * rowStep, r3 = (byte*)v3 + h * rowStep;
                Prefetch(r0 + ahead, r1 + ahead, r2 + ahead, r3 + ahead, rowStep);
                if (TLanes.AreFinite(r0, r1, r2, r3, headDim))
                    GroupAccumulate4<TFinite>(acc + h * accStep, weights + h * weightStep, weightStride, r0, r1, r2, r3, group, headDim);
                else
                    GroupAccumulate4<TLanes>(acc + h * accStep, weights + h * weightStep, weightStride, r0, r1, r2, r3, group, headDim);
            }
        }

        /// <summary>Asks for the cache lines of four slices of <paramref name="bytes"/> each (a hint: it never faults, even past the store).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Prefetch(byte* s0, byte* s1, byte* s2, byte* s3, nint bytes)
        {
            if (!Sse.IsSupported)
                return;
            for (nint b = 0; b < bytes; b += CacheLineBytes)
            {
                Sse.Prefetch0(s0 + b);
                Sse.Prefetch0(s1 + b);
                Sse.Prefetch0(s2 + b);
                Sse.Prefetch0(s3 + b);
            }
        }

        /// <summary>The elements that the block kernels cover: whole vectors, none without vector hardware.</summary>
        private static int VectorEnd(int length) => IStoredLanes.IsHardwareAccelerated ? length - length % Lanes : 0;

        /// <summary>scores[h * stride + c] = q_h dot k_c for the group's heads (consecutive in q) and the four rows.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void GroupDot4<TRow>(float* q, void* k0, void* k1, void* k2, void* k3, int group, int length, float* scores, int stride)
            where TRow : struct, IStoredLanes
        {
            int vectorEnd = VectorEnd(length), h = 0;
            if (vectorEnd > 0)
            {
                // Four heads by two rows widens each row once for four heads (two by four would widen it twice).
                for (; h + 4 <= group; h += 4)
                {
                    Dot4Heads2Rows<TRow>(q + (nint)h * length, length, k0, k1, vectorEnd, scores + (nint)h * stride, stride);
                    Dot4Heads2Rows<TRow>(q + (nint)h * length, length, k2, k3, vectorEnd, scores + (nint)h * stride + 2, stride);
                }
                if (h + 2 <= group)
                {
                    Dot2Heads4Rows<TRow>(q + (nint)h * length, length, k0, k1, k2, k3, vectorEnd, scores + (nint)h * stride, stride);
                    h += 2;
                }
                if (h < group)
                    Dot1Head4Rows<TRow>(q + (nint)h * length, k0, k1, k2, k3, vectorEnd, scores + (nint)h * stride);
            }
            if (vectorEnd < length)
                DotTail<TRow>(q, k0, k1, k2, k3, group, vectorEnd, length, scores, stride);
        }

        /// <summary>
        /// Adds the elements from <paramref name="vectorEnd"/> on to the group's scores, one at a time; when that is every
        /// element (no vector hardware, or rows shorter than a vector), the scores start here.
        /// </summary>
        private static void DotTail<TRow>(float* q, void* k0, void* k1, void* k2, void* k3, int group, int vectorEnd, int length, float* scores, int stride)
            where TRow : struct, IStoredLanes
        {
            for (int h = 0; h < group; h++)
            {
                float* qh = q + (nint)h * length, sh = scores + (nint)h * stride;
                float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
                for (int i = vectorEnd; i < length; i++)
                {
                    s0 += qh[i] * TRow.LoadScalar(k0, i);
                    s1 += qh[i] * TRow.LoadScalar(k1, i);
                    s2 += qh[i] * TRow.LoadScalar(k2, i);
                    s3 += qh[i] * TRow.LoadScalar(k3, i);
                }
                bool first = vectorEnd == 0;
                sh[0] = (first ? 0 : sh[0]) + s0;
                sh[1] = (first ? 0 : sh[1]) + s1;
                sh[2] = (first ? 0 : sh[2]) + s2;
                sh[3] = (first ? 0 : sh[3]) + s3;
            }
        }

        /// <summary>Four heads (length apart in q) by rows k0, k1, over [0, vectorEnd): scores[h * stride + c].</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Dot4Heads2Rows<TRow>(float* q, int length, void* k0, void* k1, int vectorEnd, float* scores, int stride)
            where TRow : struct, IStoredLanes
        {
            float* q1 = q + length, q2 = q1 + length, q3 = q2 + length;
            Vector256<float> a00 = default, a01 = default, a10 = default, a11 = default, a20 = default, a21 = default, a30 = default, a31 = default;
            for (int i = 0; i < vectorEnd; i += Lanes)
            {
                Vector256<float> x0 = TRow.Load(k0, i), x1 = TRow.Load(k1, i);
                var y = Vector256.Load(q + i);
                a00 = Fma.MultiplyAdd(x0, y, a00);
                a01 = Fma.MultiplyAdd(x1, y, a01);
                y = Vector256.Load(q1 + i);
                a10 = Fma.MultiplyAdd(x0, y, a10);
                a11 = Fma.MultiplyAdd(x1, y, a11);
                y = Vector256.Load(q2 + i);
                a20 = Fma.MultiplyAdd(x0, y, a20);
                a21 = Fma.MultiplyAdd(x1, y, a21);
                y = Vector256.Load(q3 + i);
                a30 = Fma.MultiplyAdd(x0, y, a30);
                a31 = Fma.MultiplyAdd(x1, y, a31);
            }
            StorePairs(Sum4(a00, a01, a10, a11), scores, stride);
            StorePairs(Sum4(a20, a21, a30, a31), scores + 2 * (nint)stride, stride);
        }

        /// <summary>Two heads (length apart in q) by the four rows, over [0, vectorEnd): scores[h * stride + c].</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Dot2Heads4Rows<TRow>(float* q, int length, void* k0, void* k1, void* k2, void* k3, int vectorEnd, float* scores, int stride)
            where TRow : struct, IStoredLanes
        {
            float* q1 = q + length;
            Vector256<float> a00 = default, a01 = default, a02 = default, a03 = default, a10 = default, a11 = default, a12 = default, a13 = default;
            for (int i = 0; i < vectorEnd; i += Lanes)
            {
                Vector256<float> x0 = TRow.Load(k0, i), x1 = TRow.Load(k1, i), x2 = TRow.Load(k2, i), x3 = TRow.Load(k3, i);
                var y = Vector256.Load(q + i);
                a00 = Fma.MultiplyAdd(x0, y, a00);
                a01 = Fma.MultiplyAdd(x1, y, a01);
                a02 = Fma.MultiplyAdd(x2, y, a02);
                a03 = Fma.MultiplyAdd(x3, y, a03);
                y = Vector256.Load(q1 + i);
                a10 = Fma.MultiplyAdd(x0, y, a10);
                a11 = Fma.MultiplyAdd(x1, y, a11);
                a12 = Fma.MultiplyAdd(x2, y, a12);
                a13 = Fma.MultiplyAdd(x3, y, a13);
            }
            Sum4(a00, a01, a02, a03).Store(scores);
            Sum4(a10, a11, a12, a13).Store(scores + stride);
        }

        /// <summary>One head by the four rows, over [0, vectorEnd): scores[c]. Each loaded query vector serves four rows.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Dot1Head4Rows<TRow>(float* q, void* k0, void* k1, void* k2, void* k3, int vectorEnd, float* scores)
            where TRow : struct, IStoredLanes
        {
            Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
            for (int i = 0; i < vectorEnd; i += Lanes)
            {
                var y = Vector256.Load(q + i);
                a0 = Fma.MultiplyAdd(TRow.Load(k0, i), y, a0);
                a1 = Fma.MultiplyAdd(TRow.Load(k1, i), y, a1);
                a2 = Fma.MultiplyAdd(TRow.Load(k2, i), y, a2);
                a3 = Fma.MultiplyAdd(TRow.Load(k3, i), y, a3);
            }
            Sum4(a0, a1, a2, a3).Store(scores);
        }

        /// <summary>The four accumulators' lane sums: two rounds of pairwise adds leave each split over the two 128-bit halves.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector128<float> Sum4(Vector256<float> a0, Vector256<float> a1, Vector256<float> a2, Vector256<float> a3)
        {
            var pairs = Avx.HorizontalAdd(Avx.HorizontalAdd(a0, a1), Avx.HorizontalAdd(a2, a3));
            return pairs.GetLower() + pairs.GetUpper();
        }

        /// <summary>Two heads' two scores each: (h0 c0, h0 c1, h1 c0, h1 c1) to scores[0..1] and scores[stride..stride + 1].</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void StorePairs(Vector128<float> sums, float* scores, int stride)
        {
            *(ulong*)scores = sums.AsUInt64().ToScalar();
            *(ulong*)(scores + stride) = sums.AsUInt64().GetElement(1);
        }

        /// <summary>acc_h += the sum over c of weights[h * stride + c] * v_c for the group's heads (length apart in acc) and the four rows.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void GroupAccumulate4<TRow>(float* acc, float* weights, int stride, void* v0, void* v1, void* v2, void* v3, int group, int length)
            where TRow : struct, IStoredLanes
        {
            int vectorEnd = VectorEnd(length), h = 0;
            if (vectorEnd > 0)
            {
                // Four heads by two rows: each row is widened once for four heads (two by four widened it twice) and the 8
                // weights stay in registers; the accumulators are loaded and stored once per two rows instead, which costs
                // less than widening. Four by four, its 16 weights broadcast from memory, measured no faster.
                for (; h + 4 <= group; h += 4)
                {
                    Accumulate4Heads2Rows<TRow>(acc + (nint)h * length, length, weights + (nint)h * stride, stride, v0, v1, vectorEnd);
                    Accumulate4Heads2Rows<TRow>(acc + (nint)h * length, length, weights + (nint)h * stride + 2, stride, v2, v3, vectorEnd);
                }
                if (h + 2 <= group)
                {
                    Accumulate2Heads4Rows<TRow>(acc + (nint)h * length, length, weights + (nint)h * stride, stride, v0, v1, v2, v3, vectorEnd);
                    h += 2;
                }
                if (h < group)
                    Accumulate1Head4Rows<TRow>(acc + (nint)h * length, weights + (nint)h * stride, v0, v1, v2, v3, vectorEnd);
            }
            if (vectorEnd < length)
                AccumulateTail<TRow>(acc, weights, stride, v0, v1, v2, v3, group, vectorEnd, length);
        }

        /// <summary>Adds the elements from <paramref name="vectorEnd"/> on to the group's accumulators, one at a time.</summary>
        private static void AccumulateTail<TRow>(float* acc, float* weights, int stride, void* v0, void* v1, void* v2, void* v3, int group, int vectorEnd, int length)
            where TRow : struct, IStoredLanes
        {
            for (int h = 0; h < group; h++)
            {
                float* ah = acc + (nint)h * length, wh = weights + (nint)h * stride;
                float p0 = wh[0], p1 = wh[1], p2 = wh[2], p3 = wh[3];
                for (int i = vectorEnd; i < length; i++)
                    ah[i] += p0 * TRow.LoadScalar(v0, i) + p1 * TRow.LoadScalar(v1, i) + p2 * TRow.LoadScalar(v2, i) + p3 * TRow.LoadScalar(v3, i);
            }
        }

        /// <summary>Four heads (length apart in acc) by rows v0, v1 (weights[h * stride + c]), over [0, vectorEnd).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Accumulate4Heads2Rows<TRow>(float* acc, int length, float* weights, int stride, void* v0, void* v1, int vectorEnd)
            where TRow : struct, IStoredLanes
        {
            float* acc1 = acc + length, acc2 = acc1 + length, acc3 = acc2 + length;
            float* w1 = weights + stride, w2 = w1 + stride, w3 = w2 + stride;
            Vector256<float> w00 = Vector256.Create(weights[0]), w01 = Vector256.Create(weights[1]), w10 = Vector256.Create(w1[0]), w11 = Vector256.Create(w1[1]);
            Vector256<float> w20 = Vector256.Create(w2[0]), w21 = Vector256.Create(w2[1]), w30 = Vector256.Create(w3[0]), w31 = Vector256.Create(w3[1]);
            for (int i = 0; i < vectorEnd; i += Lanes)
            {
                Vector256<float> x0 = TRow.Load(v0, i), x1 = TRow.Load(v1, i);
                Fma.MultiplyAdd(x1, w01, Fma.MultiplyAdd(x0, w00, Vector256.Load(acc + i))).Store(acc + i);
                Fma.MultiplyAdd(x1, w11, Fma.MultiplyAdd(x0, w10, Vector256.Load(acc1 + i))).Store(acc1 + i);
                Fma.MultiplyAdd(x1, w21, Fma.MultiplyAdd(x0, w20, Vector256.Load(acc2 + i))).Store(acc2 + i);
                Fma.MultiplyAdd(x1, w31, Fma.MultiplyAdd(x0, w30, Vector256.Load(acc3 + i))).Store(acc3 + i);
            }
        }

        /// <summary>Two heads (length apart in acc) by the four rows (weights[h * stride + c]), over [0, vectorEnd).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Accumulate2Heads4Rows<TRow>(float* acc, int length, float* weights, int stride, void* v0, void* v1, void* v2, void* v3, int vectorEnd)
            where TRow : struct, IStoredLanes
        {
            float* acc1 = acc + length, w1 = weights + stride;
            Vector256<float> w00 = Vector256.Create(weights[0]), w01 = Vector256.Create(weights[1]), w02 = Vector256.Create(weights[2]), w03 = Vector256.Create(weights[3]);
            Vector256<float> w10 = Vector256.Create(w1[0]), w11 = Vector256.Create(w1[1]), w12 = Vector256.Create(w1[2]), w13 = Vector256.Create(w1[3]);
            for (int i = 0; i < vectorEnd; i += Lanes)
            {
                Vector256<float> x0 = TRow.Load(v0, i), x1 = TRow.Load(v1, i), x2 = TRow.Load(v2, i), x3 = TRow.Load(v3, i);
                var a = Fma.MultiplyAdd(x1, w01, Fma.MultiplyAdd(x0, w00, Vector256.Load(acc + i)));
                Fma.MultiplyAdd(x3, w03, Fma.MultiplyAdd(x2, w02, a)).Store(acc + i);
                a = Fma.MultiplyAdd(x1, w11, Fma.MultiplyAdd(x0, w10, Vector256.Load(acc1 + i)));
                Fma.MultiplyAdd(x3, w13, Fma.MultiplyAdd(x2, w12, a)).Store(acc1 + i);
            }
        }

        /// <summary>One head by the four rows (weights[c]), over [0, vectorEnd): each loaded accumulator vector serves four rows.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Accumulate1Head4Rows<TRow>(float* acc, float* weights, void* v0, void* v1, void* v2, void* v3, int vectorEnd)
            where TRow : struct, IStoredLanes
        {
            Vector256<float> w0 = Vector256.Create(weights[0]), w1 = Vector256.Create(weights[1]), w2 = Vector256.Create(weights[2]), w3 = Vector256.Create(weights[3]);
            for (int i = 0; i < vectorEnd; i += Lanes)
            {
                var a = Fma.MultiplyAdd(TRow.Load(v0, i), w0, Vector256.Load(acc + i));
                a = Fma.MultiplyAdd(TRow.Load(v1, i), w1, a);
                a = Fma.MultiplyAdd(TRow.Load(v2, i), w2, a);
                Fma.MultiplyAdd(TRow.Load(v3, i), w3, a).Store(acc + i);
            }
        }
    }
}
