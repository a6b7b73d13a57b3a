namespace Kvpr.Backend
{
    /// <summary>
    /// Rows of <see cref="Width"/> elements in device memory, grouped by sequence: row (s, t), for sequence
    /// s &lt; <see cref="Sequences"/> and token t &lt; <see cref="Tokens"/>, starts at element
    /// <see cref="Offset"/> + (s · <see cref="SequenceStride"/> + t) · <see cref="Width"/>. The stride lets one
    /// view address the first tokens of every sequence of a [batch][capacity][width] buffer, as strided
    /// batched GEMMs do.
    /// </summary>
    public readonly record struct DeviceMatrix(IDeviceBuffer Buffer, long Offset, int Sequences, int Tokens, int SequenceStride, int Width)
    {
        /// <summary>Dense rows [sequences][tokens][width] from the buffer's start.</summary>
        public static DeviceMatrix Dense(IDeviceBuffer buffer, int sequences, int tokens, int width) =>
            new(buffer, 0, sequences, tokens, tokens, width);

        public int Rows => Sequences * Tokens;

        /// <summary>Element offset of row (sequence, token).</summary>
        public long RowOffset(int sequence, int token) => Offset + ((long)sequence * SequenceStride + token) * Width;

        /// <summary>Tokens [first, first + count) of every sequence.</summary>
        public DeviceMatrix TokenRange(int first, int count) => this with { Offset = RowOffset(0, first), Tokens = count };

        /// <summary>No rows: ops given such a view do nothing (an empty recompute or transfer range).</summary>
        public bool IsEmpty => Sequences == 0 || Tokens == 0;
    }
}
