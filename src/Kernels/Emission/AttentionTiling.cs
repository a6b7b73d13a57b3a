namespace Kvpr.Kernels.Emission
{
    /// <summary>
    /// How many query rows one attention block serves. Query heads of one KV-head group share each K and V load, so
    /// a block takes as many as its budget allows: the largest divisor of the group size that fits. Prefill blocks
    /// keep their rows in shared memory and also take several query tokens, up to <see cref="MaxPrefillQueries"/>;
    /// decode blocks keep each head's softmax state in registers, so at most <see cref="MaxDecodeHeads"/> heads.
    /// Where the head dim suits the tensor cores, prefill runs prefill_attention_mma instead, with <see cref="MmaKeys"/>
    /// keys a tile; this is the one place that chooses between the two prefill kernels.
    /// </summary>
    /// <param name="MmaKeys">Keys a tile of prefill_attention_mma, or 0 where the model's prefill uses prefill_attention.</param>
    internal sealed record AttentionTiling(int HeadsPerBlock, int HeadBlocks, int PrefillQueries, int DecodeHeadsPerBlock, int DecodeHeadBlocks, int MmaKeys)
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
            return new AttentionTiling(heads, spec.Heads / heads, queries, decodeHeads, spec.Heads / decodeHeads, MmaKeyTile(spec.HeadDim));
        }

        /// <summary>Whether prefill runs on the tensor cores (prefill_attention_mma) rather than prefill_attention.</summary>
        public bool PrefillUsesMma => MmaKeys > 0;

        /// <summary>
        /// The largest key tile (64, 32 or 16) whose shared memory fits the 48 KB a block may declare statically, for a
        /// head dim the mma kernel takes (<see cref="PrefillAttentionRate.UsesTensorCores"/>: a multiple of its k step of 16,
        /// from 64 to 256); 0 for any other.
        /// </summary>
        private static int MmaKeyTile(int headDim)
        {
            if (!PrefillAttentionRate.UsesTensorCores(headDim))
                return 0;
            foreach (int keys in new[] { 64, 32, 16 })
            {
                if (MmaSharedBytes(headDim, keys) <= LaunchConstants.StaticSharedBytes)
                    return keys;
            }

            return 0;
        }

        /// <summary>
        /// Shared bytes of a prefill_attention_mma block: the query tile and one buffer that holds a tile of K, then of V
        /// transposed (the larger, as the head dim is at least the key tile), each row padded by 8 elements (see the
        /// kernel's strides); elements are 2 bytes.
        /// </summary>
        private static int MmaSharedBytes(int headDim, int keys) => 2 * (LaunchConstants.MmaQueries * (headDim + 8) + headDim * (keys + 8));

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
