namespace Kvpr.Graphs
{
    /// <summary>
    /// What a node does in one step: <see cref="Bytes"/> crossing the link for a copy, or read and written in
    /// device memory for a kernel; <see cref="Flops"/> of its arithmetic. Zero for a no-op.
    /// </summary>
    public sealed record NodeWork(long Bytes, long Flops)
    {
        public static NodeWork None { get; } = new(0, 0);
    }
}
