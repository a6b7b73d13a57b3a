namespace Kvpr.Kernels
{
    /// <summary>How a kernel argument is passed through cuLaunchKernel's argument array.</summary>
    public enum ParameterKind
    {
        /// <summary>A CUdeviceptr (or 0 where the meaning says the buffer is optional).</summary>
        DevicePointer,
        /// <summary>A 32-bit signed integer.</summary>
        Int32,
        /// <summary>A 32-bit float.</summary>
        Float32,
    }
}
