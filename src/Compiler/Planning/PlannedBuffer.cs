namespace Kvpr.Planning
{
    /// <summary>One device allocation of a generation: its role, whose it is, and its size.</summary>
    /// <param name="ElementBytes">2 for the model's 16-bit type, 4 for fp32 (and int32 token ids).</param>
    public sealed record PlannedBuffer(DeviceBufferRole Role, int Index, long Elements, int ElementBytes)
    {
        public long Bytes => checked(Elements * ElementBytes);

        /// <summary>Whether the buffer is fp32 (or int32) rather than in the model's 16-bit type.</summary>
        public bool IsSingle => ElementBytes == sizeof(float);
    }
}
