using System;
using Kvpr.Kernels.Emission;

namespace Kvpr.Kernels
{
    /// <summary>
    /// How decode_attention splits a sequence (flash-decoding): enough splits that batch × head blocks × splits
    /// fills the GPU about twice over, each split at least one attention tile long, so short contexts are not
    /// split and long ones use every multiprocessor.
    /// </summary>
    public sealed record DecodeSplit(int TokensPerSplit, int Splits)
    {
        /// <param name="length">Tokens attended to: s' + 1 in a decode step.</param>
        /// <param name="multiprocessors">The device's streaming multiprocessors.</param>
        public static DecodeSplit For(ModelSpec spec, int batch, int length, int multiprocessors)
        {
            if (length <= 0)
                throw new ArgumentOutOfRangeException(nameof(length), length, "Decode attention needs at least one token.");
            int wanted = MaxSplits(spec, batch, multiprocessors);
            int tile = LaunchConstants.AttentionTile;
            int tokens = CeilingDivide(CeilingDivide(length, wanted), tile) * tile;
            return new DecodeSplit(tokens, CeilingDivide(length, tokens));
        }

        /// <summary>The most splits <see cref="For"/> chooses for this batch at any length: the size of the partial buffers.</summary>
        public static int MaxSplits(ModelSpec spec, int batch, int multiprocessors)
        {
            if (batch <= 0)
                throw new ArgumentOutOfRangeException(nameof(batch), batch, "The batch must hold at least one sequence.");
            if (multiprocessors <= 0)
                throw new ArgumentOutOfRangeException(nameof(multiprocessors), multiprocessors, "The device must have at least one multiprocessor.");
            int blocksPerSplit = batch * AttentionTiling.For(spec).HeadBlocks;
            return Math.Max(1, CeilingDivide(2 * multiprocessors, blocksPerSplit));
        }

        private static int CeilingDivide(int a, int b) => (a + b - 1) / b;
    }
}
