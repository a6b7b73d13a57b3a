// TEMPORARY STUB (lead): replaced by the hostattn branch.
using System;
namespace Kvpr.Host
{
    public enum HostElementType { Float32, Float16, BFloat16 }
    public unsafe struct HostAttentionArgs
    {
        public float* Queries; public void* Keys; public void* Values; public HostElementType Element; public long SequenceStride;
        public int Batch, Heads, KvHeads, HeadDim, Start, End; public float* Acc, Max, Sum;
    }
    public static unsafe class HostAttention
    {
        public static void Run(in HostAttentionArgs a)
        {
            int kvDim = a.KvHeads * a.HeadDim, group = a.Heads / a.KvHeads;
            for (int b = 0; b < a.Batch; b++)
                for (int h = 0; h < a.Heads; h++)
                {
                    int row = b * a.Heads + h; float* q = a.Queries + (long)row * a.HeadDim; float* acc = a.Acc + (long)row * a.HeadDim;
                    float max = float.NegativeInfinity, sum = 0;
                    for (int d = 0; d < a.HeadDim; d++) acc[d] = 0;
                    for (int t = a.Start; t < a.End; t++)
                    {
                        long off = b * a.SequenceStride + (long)t * kvDim + h / group * a.HeadDim;
                        float s = 0; for (int d = 0; d < a.HeadDim; d++) s += q[d] * Load(a, a.Keys, off + d);
                        float m = MathF.Max(max, s), r = MathF.Exp(max - m), p = MathF.Exp(s - m);
                        if (float.IsNegativeInfinity(max)) r = 0;
                        sum = sum * r + p;
                        for (int d = 0; d < a.HeadDim; d++) acc[d] = acc[d] * r + p * Load(a, a.Values, off + d);
                        max = m;
                    }
                    a.Max[row] = max; a.Sum[row] = sum;
                }
        }
        static float Load(in HostAttentionArgs a, void* p, long i) => a.Element switch
        {
            HostElementType.Float32 => ((float*)p)[i],
            HostElementType.Float16 => (float)((Half*)p)[i],
            _ => BitConverter.UInt32BitsToSingle((uint)((ushort*)p)[i] << 16),
        };
    }
}
