namespace Kvpr.Graphs
{
    /// <summary>
    /// One buffer a node reads or writes, and which of its token rows (<see cref="TokenRange.None"/>: all of
    /// it). Buffers with a micro-batch section (<see cref="BufferKind.ResidentKv"/>) are accessed in the
    /// section of the node's micro-batch.
    /// </summary>
    public sealed record BufferUse(BufferKind Buffer, int Index, TokenRange Tokens)
    {
        /// <summary>A buffer used whole, without token rows (weights, hidden state, logits).</summary>
        public BufferUse(BufferKind buffer, int index) : this(buffer, index, TokenRange.None)
        {
        }

        /// <summary>Whether this buffer is a double-buffer slot reused by other layers or micro-batches.</summary>
        public bool IsSlot => Buffer is BufferKind.WeightSlot or BufferKind.KvSlot or BufferKind.ActivationSlot;

        /// <summary>Whether the buffer holds data from before the step (or from load time) that no node of the step produces.</summary>
        public bool IsFilledOutsideStep => Buffer is BufferKind.ResidentWeights
            || (Buffer == BufferKind.ResidentKv && Tokens.Kind != TokenRangeKind.NewToken);

        public override string ToString() => Tokens.Kind == TokenRangeKind.None ? $"{Buffer}[{Index}]" : $"{Buffer}[{Index}]({Tokens})";
    }
}
