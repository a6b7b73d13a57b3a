namespace Kvpr.Kernels.Emission
{
    /// <summary>
    /// How many query rows one attention block serves. Query heads of one KV-head group share each K and V load, so
    /// a block takes as many as its budget allows: the largest divisor of the group size that fits. Prefill blocks
    /// keep their rows in shared memory and also take several query tokens, up to <see cref="MaxPrefillQueries"/>;
    /// decode blocks keep each head's softmax state in registers, so at most <see cref="MaxDecodeHeads"/> heads.
    /// </summary>
    internal sealed record AttentionTiling(int HeadsPerBlock, int HeadBlocks, int PrefillQueries, int DecodeHeadsPerBlock, int DecodeHeadBlocks)
    {
        private const int MaxPrefillQueries = 16;

        /// <summary>
        /// A decode head costs each thread 18 registers (8 query and 8 accumulator elements, max and sum); four keep
        /// the kernel near 128 registers, so several blocks stay resident per multiprocessor. A larger group reads
        /// its K and V once per head block, mostly from L2, as the head blocks of a partition run side by side.
        /// </summary>
        private const int MaxDecodeHeads = 4;

        public static AttentionTiling For(ModelSpec spec)
        {
            int group = spec.Heads / spec.KvHeads;
            int rowBytes = RowBytes(spec.HeadDim);
            int heads = LargestDivisorUpTo(group, LaunchConstants.AttentionSharedBytes / rowBytes);
            int queries = System.Math.Max(1, System.Math.Min(MaxPrefillQueries, LaunchConstants.AttentionSharedBytes / (heads * rowBytes)));
            int decodeHeads = LargestDivisorUpTo(group, MaxDecodeHeads);
            return new AttentionTiling(heads, spec.Heads / heads, queries, decodeHeads, spec.Heads / decodeHeads);
        }

        /// <summary>The largest divisor of <paramref name="group"/> that is at most <paramref name="limit"/>, and at least 1.</summary>
        private static int LargestDivisorUpTo(int group, int limit)
        {
            for (int candidate = System.Math.Min(group, limit); candidate > 1; candidate--)
            {
                if (group % candidate == 0)
                    return candidate;
            }

            return 1;
        }

        /// <summary>
        /// Shared bytes of one query row of an AttentionState: q, accumulator and (at most) one slice of partial sums,
        /// a tile of scores, max, sum, rescale, start and end. Several slices, where rows are few, add at most 4 KB.
        /// </summary>
        private static int RowBytes(int headDim) => 4 * (3 * headDim + LaunchConstants.AttentionTile + 5);
    }
}
