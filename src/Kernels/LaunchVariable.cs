namespace Kvpr.Kernels
{
    /// <summary>A size known only at launch time, on which a kernel's grid depends.</summary>
    public enum LaunchVariable
    {
        /// <summary>Token rows processed together: batch for a decode step, batch × tokens for prefill or recompute.</summary>
        Rows,
        /// <summary>Sequences in the micro-batch.</summary>
        Batch,
        /// <summary>Tokens per sequence in a prefill call (the prompt, or one chunk of it).</summary>
        Tokens,
        /// <summary>Partitions of the sequence in decode attention (see <see cref="DecodePartitions"/>).</summary>
        Partitions,
    }
}
