namespace Kvpr
{
    /// <summary>Where an engine computes.</summary>
    public enum ComputeDevice
    {
        /// <summary>fp32 on the CPU; "device" memory and the host store are both ordinary arrays.</summary>
        Cpu,

        /// <summary>fp16 on an NVIDIA GPU with the host store in pinned memory.</summary>
        Cuda,
    }
}
