using System.Numerics;
using System.Runtime.CompilerServices;

namespace Kvpr.Host
{
    /// <summary>
    /// The two inner loops of CPU attention over fp32 rows, four tokens at a time: four independent multiply-add chains
    /// keep the FMA units busy, and each loaded query (or accumulator) vector serves four K (or V) rows.
    /// </summary>
    internal static unsafe class AttentionRowKernels
    {
        public const int Tokens = 4;

        /// <summary>scores[c] = q · k_c for the four rows.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void Dot4(float* q, float* k0, float* k1, float* k2, float* k3, int length, float* scores)
        {
            Vector<float> a0 = Vector<float>.Zero, a1 = Vector<float>.Zero, a2 = Vector<float>.Zero, a3 = Vector<float>.Zero;
            int i = 0;
            for (; i + Vector<float>.Count <= length; i += Vector<float>.Count)
            {
                var x = Vector.Load(q + i);
                a0 = Vector.MultiplyAddEstimate(x, Vector.Load(k0 + i), a0);
                a1 = Vector.MultiplyAddEstimate(x, Vector.Load(k1 + i), a1);
                a2 = Vector.MultiplyAddEstimate(x, Vector.Load(k2 + i), a2);
                a3 = Vector.MultiplyAddEstimate(x, Vector.Load(k3 + i), a3);
            }
            float s0 = Vector.Sum(a0), s1 = Vector.Sum(a1), s2 = Vector.Sum(a2), s3 = Vector.Sum(a3);
            for (; i < length; i++)
            {
                s0 += q[i] * k0[i];
                s1 += q[i] * k1[i];
                s2 += q[i] * k2[i];
                s3 += q[i] * k3[i];
            }
            scores[0] = s0;
            scores[1] = s1;
            scores[2] = s2;
            scores[3] = s3;
        }

        /// <summary>acc += Σ_c weights[c] · v_c for the four rows.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void Accumulate4(float* acc, float* weights, float* v0, float* v1, float* v2, float* v3, int length)
        {
            float p0 = weights[0], p1 = weights[1], p2 = weights[2], p3 = weights[3];
            Vector<float> w0 = new(p0), w1 = new(p1), w2 = new(p2), w3 = new(p3);
            int i = 0;
            for (; i + Vector<float>.Count <= length; i += Vector<float>.Count)
            {
                var a = Vector.Load(acc + i);
                a = Vector.MultiplyAddEstimate(w0, Vector.Load(v0 + i), a);
                a = Vector.MultiplyAddEstimate(w1, Vector.Load(v1 + i), a);
                a = Vector.MultiplyAddEstimate(w2, Vector.Load(v2 + i), a);
                a = Vector.MultiplyAddEstimate(w3, Vector.Load(v3 + i), a);
                a.Store(acc + i);
            }
            for (; i < length; i++)
                acc[i] += p0 * v0[i] + p1 * v1[i] + p2 * v2[i] + p3 * v3[i];
        }
    }
}
