using System;

namespace Kvpr.Backend
{
    /// <summary>
    /// What a host↔device copy moves: <see cref="Blocks"/> blocks of <see cref="Elements"/> consecutive elements, block
    /// i from <see cref="SourceOffset"/> + i · <see cref="SourceStride"/> to <see cref="DestinationOffset"/> + i ·
    /// <see cref="DestinationStride"/>. Tokens [a, b) of every sequence of a [batch][capacity][width] buffer are one
    /// such copy, which a device may issue as one strided (2D) transfer.
    /// </summary>
    public readonly record struct BlockCopy(long SourceOffset, long SourceStride, long DestinationOffset, long DestinationStride, long Elements, int Blocks)
    {
        public long TotalElements => Elements * Blocks;

        /// <summary>One past the last source element read.</summary>
        public long SourceEnd => Blocks == 0 ? SourceOffset : SourceOffset + (Blocks - 1) * SourceStride + Elements;

        /// <summary>One past the last destination element written.</summary>
        public long DestinationEnd => Blocks == 0 ? DestinationOffset : DestinationOffset + (Blocks - 1) * DestinationStride + Elements;

        /// <summary>Whether the blocks lie back to back on both sides, so one contiguous copy of <see cref="TotalElements"/> does it.</summary>
        public bool IsContiguous => Blocks <= 1 || (SourceStride == Elements && DestinationStride == Elements);

        /// <exception cref="ArgumentOutOfRangeException">Negative sizes, or blocks that overlap on either side.</exception>
        public void Validate()
        {
            if (Elements < 0 || Blocks < 0 || SourceOffset < 0 || DestinationOffset < 0)
                throw new ArgumentOutOfRangeException(nameof(Elements), $"A copy needs non-negative offsets and sizes, not {this}.");
            if (Blocks > 1 && (SourceStride < Elements || DestinationStride < Elements))
                throw new ArgumentOutOfRangeException(nameof(SourceStride), $"The blocks of a copy must not overlap: {this}.");
        }
    }
}
