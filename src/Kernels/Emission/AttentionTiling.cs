namespace Kvpr.Kernels.Emission
{
    /// <summary>
    /// How many query rows one attention block serves. Query heads of one KV-head group share each K and V load, so
    /// a block takes as many as its shared-memory budget allows: the largest divisor of the group size that fits.
    /// Prefill blocks also take several query tokens, up to <see cref="MaxPrefillQueries"/>, as the budget allows.
    /// </summary>
    internal sealed record AttentionTiling(int HeadsPerBlock, int HeadBlocks, int PrefillQueries)
    {
        private const int MaxPrefillQueries = 16;

        public static AttentionTiling For(ModelSpec spec)
        {
            int group = spec.Heads / spec.KvHeads;
            int rowBytes = RowBytes(spec.HeadDim);
            int heads = 1;
            for (int candidate = group; candidate >= 1; candidate--)
            {
                if (group % candidate == 0 && candidate * rowBytes <= LaunchConstants.AttentionSharedBytes)
                {
                    heads = candidate;
                    break;
                }
            }

            int queries = System.Math.Max(1, System.Math.Min(MaxPrefillQueries, LaunchConstants.AttentionSharedBytes / (heads * rowBytes)));
            return new AttentionTiling(heads, spec.Heads / heads, queries);
        }

        /// <summary>
        /// Shared bytes of one query row of an AttentionState: q, accumulator and (at most) one slice of partial sums,
        /// a tile of scores, max, sum, rescale and end. Several slices, where rows are few, add at most 4 KB.
        /// </summary>
        private static int RowBytes(int headDim) => 4 * (3 * headDim + LaunchConstants.AttentionTile + 4);
    }
}
