namespace Kvpr.Kernels.Emission
{
    /// <summary>
    /// How many query heads one attention block serves. Heads of one KV-head group share each K and V load, so a
    /// block takes as many as its shared-memory budget allows: the largest divisor of the group size that fits.
    /// </summary>
    internal sealed record AttentionTiling(int HeadsPerBlock, int HeadBlocks)
    {
        public static AttentionTiling For(ModelSpec spec)
        {
            int group = spec.Heads / spec.KvHeads;
            int heads = 1;
            for (int candidate = group; candidate >= 1; candidate--)
            {
                if (group % candidate == 0 && SharedBytes(candidate, spec.HeadDim) <= LaunchConstants.AttentionSharedBytes)
                {
                    heads = candidate;
                    break;
                }
            }

            return new AttentionTiling(heads, spec.Heads / heads);
        }

        /// <summary>Bytes of the block's AttentionState: q and accumulator per head and dimension, a tile of scores, three floats of softmax state.</summary>
        private static int SharedBytes(int heads, int headDim) => 4 * heads * (2 * headDim + LaunchConstants.AttentionTile + 3);
    }
}
