using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Kvpr.Host
{
    /// <summary>
    /// The two inner loops of CPU attention, four stored rows at a time, each row widened to fp32 in registers as it is
    /// read: four independent multiply-add chains keep the FMA units busy, the four rows' loads are in flight together,
    /// and each loaded query (or accumulator) vector serves four K (or V) rows. A head's four row slices take the cheaper
    /// <typeparamref name="TFinite"/> lanes when <typeparamref name="TLanes"/> finds them free of inf and NaN (read then,
    /// they stay in the L1 cache for the kernel), else <typeparamref name="TLanes"/>. Without vector hardware the same sums
    /// run element by element, with the exact scalar conversion.
    /// </summary>
    internal static unsafe class AttentionRowKernels<TLanes, TFinite>
        where TLanes : struct, IStoredLanes
        where TFinite : struct, IStoredLanes
    {
        /// <summary>
        /// For <paramref name="heads"/> consecutive heads of <paramref name="headDim"/> elements (consecutive in the
        /// queries and the rows): the head's four scores q dot k_c, <paramref name="scoreStride"/> floats after the last head's.
        /// One call walks whole rows, so the per-call work is paid once a row rather than once a head.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void Dot4(float* q, void* k0, void* k1, void* k2, void* k3, int heads, int headDim, float* scores, int scoreStride)
        {
            nint rowStep = (nint)headDim * TLanes.ElementBytes;
            for (int h = 0; h < heads; h++)
            {
                byte* r0 = (byte*)k0 + h * rowStep, r1 = (byte*)k1 + h * rowStep, r2 = (byte*)k2 + h * rowStep, r3 = (byte*)k3 + h * rowStep;
                if (TLanes.AreFinite(r0, r1, r2, r3, headDim))
                    Dot4<TFinite>(q + (nint)h * headDim, r0, r1, r2, r3, headDim, scores + (nint)h * scoreStride);
                else
                    Dot4<TLanes>(q + (nint)h * headDim, r0, r1, r2, r3, headDim, scores + (nint)h * scoreStride);
            }
        }

        /// <summary>
        /// For <paramref name="heads"/> consecutive heads: the head's accumulator += the sum over c of its weights[c] * v_c,
        /// its weights <paramref name="weightStride"/> floats after the last head's.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void Accumulate4(float* acc, float* weights, int weightStride, void* v0, void* v1, void* v2, void* v3, int heads, int headDim)
        {
            nint rowStep = (nint)headDim * TLanes.ElementBytes;
            for (int h = 0; h < heads; h++)
            {
                byte* r0 = (byte*)v0 + h * rowStep, r1 = (byte*)v1 + h * rowStep, r2 = (byte*)v2 + h * rowStep, r3 = (byte*)v3 + h * rowStep;
                if (TLanes.AreFinite(r0, r1, r2, r3, headDim))
                    Accumulate4<TFinite>(acc + (nint)h * headDim, weights + (nint)h * weightStride, r0, r1, r2, r3, headDim);
                else
                    Accumulate4<TLanes>(acc + (nint)h * headDim, weights + (nint)h * weightStride, r0, r1, r2, r3, headDim);
            }
        }

        /// <summary>scores[c] = q dot k_c for the four rows.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Dot4<TRow>(float* q, void* k0, void* k1, void* k2, void* k3, int length, float* scores)
            where TRow : struct, IStoredLanes
        {
            int i = 0;
            Vector128<float> sums = Vector128<float>.Zero;
            if (IStoredLanes.IsHardwareAccelerated)
            {
                Vector256<float> a0 = Vector256<float>.Zero, a1 = Vector256<float>.Zero, a2 = Vector256<float>.Zero, a3 = Vector256<float>.Zero;
                for (; i + Vector256<float>.Count <= length; i += Vector256<float>.Count)
                {
                    var x = Vector256.Load(q + i);
                    a0 = Fma.MultiplyAdd(TRow.Load(k0, i), x, a0);
                    a1 = Fma.MultiplyAdd(TRow.Load(k1, i), x, a1);
                    a2 = Fma.MultiplyAdd(TRow.Load(k2, i), x, a2);
                    a3 = Fma.MultiplyAdd(TRow.Load(k3, i), x, a3);
                }
                // Two rounds of pairwise adds leave each row's sum split over the two 128-bit halves.
                var pairs = Avx.HorizontalAdd(Avx.HorizontalAdd(a0, a1), Avx.HorizontalAdd(a2, a3));
                sums = pairs.GetLower() + pairs.GetUpper();
            }
            float s0 = sums.GetElement(0), s1 = sums.GetElement(1), s2 = sums.GetElement(2), s3 = sums.GetElement(3);
            for (; i < length; i++)
            {
                s0 += q[i] * TRow.LoadScalar(k0, i);
                s1 += q[i] * TRow.LoadScalar(k1, i);
                s2 += q[i] * TRow.LoadScalar(k2, i);
                s3 += q[i] * TRow.LoadScalar(k3, i);
            }
            scores[0] = s0;
            scores[1] = s1;
            scores[2] = s2;
            scores[3] = s3;
        }

        /// <summary>acc += the sum over c of weights[c] * v_c for the four rows.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Accumulate4<TRow>(float* acc, float* weights, void* v0, void* v1, void* v2, void* v3, int length)
            where TRow : struct, IStoredLanes
        {
            float p0 = weights[0], p1 = weights[1], p2 = weights[2], p3 = weights[3];
            int i = 0;
            if (IStoredLanes.IsHardwareAccelerated)
            {
                Vector256<float> w0 = Vector256.Create(p0), w1 = Vector256.Create(p1), w2 = Vector256.Create(p2), w3 = Vector256.Create(p3);
                for (; i + Vector256<float>.Count <= length; i += Vector256<float>.Count)
                {
                    var a = Fma.MultiplyAdd(TRow.Load(v0, i), w0, Vector256.Load(acc + i));
                    a = Fma.MultiplyAdd(TRow.Load(v1, i), w1, a);
                    a = Fma.MultiplyAdd(TRow.Load(v2, i), w2, a);
                    Fma.MultiplyAdd(TRow.Load(v3, i), w3, a).Store(acc + i);
                }
            }
            for (; i < length; i++)
                acc[i] += p0 * TRow.LoadScalar(v0, i) + p1 * TRow.LoadScalar(v1, i) + p2 * TRow.LoadScalar(v2, i) + p3 * TRow.LoadScalar(v3, i);
        }
    }
}
