using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Kvpr.Host
{
    /// <summary>
    /// The two inner loops of CPU attention, four stored rows at a time, each row widened to fp32 in registers as it is
    /// read (<typeparamref name="TLanes"/>): four independent multiply-add chains keep the FMA units busy, the four rows'
    /// loads are in flight together, and each loaded query (or accumulator) vector serves four K (or V) rows. Without
    /// vector hardware the same sums run element by element, with the exact scalar conversion.
    /// </summary>
    internal static unsafe class AttentionRowKernels<TLanes>
        where TLanes : struct, IStoredLanes
    {
        /// <summary>scores[c] = q dot k_c for the four rows.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void Dot4(float* q, void* k0, void* k1, void* k2, void* k3, int length, float* scores)
        {
            int i = 0;
            Vector128<float> sums = Vector128<float>.Zero;
            if (IStoredLanes.IsHardwareAccelerated)
            {
                Vector256<float> a0 = Vector256<float>.Zero, a1 = Vector256<float>.Zero, a2 = Vector256<float>.Zero, a3 = Vector256<float>.Zero;
                for (; i + Vector256<float>.Count <= length; i += Vector256<float>.Count)
                {
                    var x = Vector256.Load(q + i);
                    a0 = Fma.MultiplyAdd(TLanes.Load(k0, i), x, a0);
                    a1 = Fma.MultiplyAdd(TLanes.Load(k1, i), x, a1);
                    a2 = Fma.MultiplyAdd(TLanes.Load(k2, i), x, a2);
                    a3 = Fma.MultiplyAdd(TLanes.Load(k3, i), x, a3);
                }
                // Two rounds of pairwise adds leave each row's sum split over the two 128-bit halves.
                var pairs = Avx.HorizontalAdd(Avx.HorizontalAdd(a0, a1), Avx.HorizontalAdd(a2, a3));
                sums = pairs.GetLower() + pairs.GetUpper();
            }
            float s0 = sums.GetElement(0), s1 = sums.GetElement(1), s2 = sums.GetElement(2), s3 = sums.GetElement(3);
            for (; i < length; i++)
            {
                s0 += q[i] * TLanes.LoadScalar(k0, i);
                s1 += q[i] * TLanes.LoadScalar(k1, i);
                s2 += q[i] * TLanes.LoadScalar(k2, i);
                s3 += q[i] * TLanes.LoadScalar(k3, i);
            }
            scores[0] = s0;
            scores[1] = s1;
            scores[2] = s2;
            scores[3] = s3;
        }

        /// <summary>acc += the sum over c of weights[c] * v_c for the four rows.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void Accumulate4(float* acc, float* weights, void* v0, void* v1, void* v2, void* v3, int length)
        {
            float p0 = weights[0], p1 = weights[1], p2 = weights[2], p3 = weights[3];
            int i = 0;
            if (IStoredLanes.IsHardwareAccelerated)
            {
                Vector256<float> w0 = Vector256.Create(p0), w1 = Vector256.Create(p1), w2 = Vector256.Create(p2), w3 = Vector256.Create(p3);
                for (; i + Vector256<float>.Count <= length; i += Vector256<float>.Count)
                {
                    var a = Fma.MultiplyAdd(TLanes.Load(v0, i), w0, Vector256.Load(acc + i));
                    a = Fma.MultiplyAdd(TLanes.Load(v1, i), w1, a);
                    a = Fma.MultiplyAdd(TLanes.Load(v2, i), w2, a);
                    Fma.MultiplyAdd(TLanes.Load(v3, i), w3, a).Store(acc + i);
                }
            }
            for (; i < length; i++)
                acc[i] += p0 * TLanes.LoadScalar(v0, i) + p1 * TLanes.LoadScalar(v1, i) + p2 * TLanes.LoadScalar(v2, i) + p3 * TLanes.LoadScalar(v3, i);
        }
    }
}
