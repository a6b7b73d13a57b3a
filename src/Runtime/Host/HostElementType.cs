namespace Kvpr.Host
{
    /// <summary>How K and V are stored in the host store: fp32 on the CPU backend, fp16 or bf16 bit patterns on CUDA.</summary>
    public enum HostElementType
    {
        Float32,
        Float16,
        BFloat16,
    }
}
