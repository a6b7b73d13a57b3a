using System;
using Kvpr.Kernels.Emission;

namespace Kvpr.Kernels
{
    /// <summary>
    /// How decode_attention partitions a sequence (flash-decoding): enough partitions that batch × head blocks ×
    /// partitions makes several waves of blocks on every multiprocessor, so no multiprocessor idles while the last
    /// blocks finish, but no partition shorter than <see cref="MinTokensPerPartition"/> tokens, whose fixed costs would then show.
    /// </summary>
    public sealed record DecodePartitions(int TokensPerPartition, int Count)
    {
        /// <summary>
        /// Blocks a launch aims to give each multiprocessor: 3 to 6 of them fit at once (by their registers), so this
        /// is several waves, and the blocks of the last one finish early, each taking a larger share of the bandwidth.
        /// </summary>
        private const int BlocksPerMultiprocessor = 16;

        /// <summary>A partition costs a block's start and final merge, and a partial result written and merged again.</summary>
        private const int MinTokensPerPartition = Kvpr.Planning.DeviceBufferList.MinTokensPerPartition;

        /// <summary>Partitions are whole multiples of this, a multiple of the tokens a block folds per step for head dims of 64 and up.</summary>
        private const int TokenGranule = 64;

        /// <param name="length">Tokens attended to: s' + 1 in a decode step.</param>
        /// <param name="multiprocessors">The device's streaming multiprocessors.</param>
        public static DecodePartitions For(ModelSpec spec, int batch, int length, int multiprocessors)
        {
            if (length <= 0)
                throw new ArgumentOutOfRangeException(nameof(length), length, "Decode attention needs at least one token.");
            Validate(batch, multiprocessors);
            int wanted = WantedPartitions(HeadBlocks(spec), batch, multiprocessors);
            int tokens = Math.Max(MinTokensPerPartition, CeilingDivide(CeilingDivide(length, wanted), TokenGranule) * TokenGranule);
            return new DecodePartitions(tokens, CeilingDivide(length, tokens));
        }

        /// <summary>
        /// Partitions per (sequence, head) that the partial buffers (<c>[partitions][batch][HEADS][HEAD_DIM]</c>,
        /// <c>[partitions][batch][HEADS]</c>) must provide: buffers of <paramref name="batch"/> × HEADS × MaxPartitions
        /// entries hold every partition <see cref="For"/> picks at any length for any batch up to <paramref name="batch"/>.
        /// </summary>
        public static int MaxPartitions(ModelSpec spec, int batch, int multiprocessors)
        {
            Validate(batch, multiprocessors);
            // A smaller batch takes more partitions, and b × partitions need not grow with b: bound it over every b.
            int headBlocks = HeadBlocks(spec);
            long most = 0;
            for (int b = 1; b <= batch; b++)
                most = Math.Max(most, (long)b * WantedPartitions(headBlocks, b, multiprocessors));
            return (int)((most + batch - 1) / batch);
        }

        /// <summary>The most partitions <see cref="For"/> picks for this batch: enough for <see cref="BlocksPerMultiprocessor"/> blocks each.</summary>
        private static int WantedPartitions(int headBlocks, int batch, int multiprocessors)
        {
            long blocksPerPartition = (long)batch * headBlocks;
            return (int)Math.Max(1, (BlocksPerMultiprocessor * (long)multiprocessors + blocksPerPartition - 1) / blocksPerPartition);
        }

        private static int HeadBlocks(ModelSpec spec) => AttentionTiling.For(spec).DecodeHeadBlocks;

        private static void Validate(int batch, int multiprocessors)
        {
            if (batch <= 0)
                throw new ArgumentOutOfRangeException(nameof(batch), batch, "The batch must hold at least one sequence.");
            if (multiprocessors <= 0)
                throw new ArgumentOutOfRangeException(nameof(multiprocessors), multiprocessors, "The device must have at least one multiprocessor.");
        }

        private static int CeilingDivide(int a, int b) => (a + b - 1) / b;
    }
}
