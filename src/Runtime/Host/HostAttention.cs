using System;

namespace Kvpr.Host
{
    /// <summary>
    /// Decode attention over tokens of the host store, on the CPU, reading K and V in place: one layer's share of the
    /// stored tokens, as a partial softmax (running max, sum of exponentials, unnormalised weighted V sum) per sequence
    /// and head, to be merged with the GPU's part by <see cref="PartialSoftmax"/>. fp16 and bf16 rows widen to fp32,
    /// accumulation is fp32; every core works on one call, and a call allocates nothing once its scratch has grown.
    /// </summary>
    public static class HostAttention
    {
        private static readonly HostAttentionJob Job = new(HostWorkerPool.Shared);

        /// <summary>Computes the partials that <paramref name="args"/> asks for; blocks until they are written.</summary>
        /// <exception cref="ArgumentException">A field of <paramref name="args"/> is invalid; the message names it.</exception>
        public static unsafe void Run(in HostAttentionArgs args)
        {
            args.Validate();
            long rows = (long)args.Batch * args.Heads;
            if (args.End == args.Start)
            {
                new Span<float>(args.Max, checked((int)rows)).Fill(float.NegativeInfinity);
                new Span<float>(args.Sum, (int)rows).Clear();
                new Span<float>(args.Acc, checked((int)(rows * args.HeadDim))).Clear();
                return;
            }
            lock (Job)
                Job.Run(args);
        }
    }
}
