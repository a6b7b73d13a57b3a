using Kvpr.Runtime.Cuda;

namespace Kvpr.Runtime.Tests.Cuda;

/// <summary>A test that needs a working CUDA driver and GPU; skipped, with the reason, where there is none.</summary>
public sealed class CudaFactAttribute : FactAttribute
{
    public CudaFactAttribute()
    {
        if (!CudaLibraries.IsDriverUsable())
            Skip = "No CUDA driver or GPU on this machine.";
    }
}

/// <summary>A test of how the toolkit behaves without CUDA; skipped on machines that have a usable GPU.</summary>
public sealed class WithoutCudaFactAttribute : FactAttribute
{
    public WithoutCudaFactAttribute()
    {
        if (CudaLibraries.IsDriverUsable())
            Skip = "This machine has a CUDA driver and GPU.";
    }
}
