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

/// <summary>A test that needs a GPU and NCCL; skipped, with the reason, where either is missing.</summary>
public sealed class NcclFactAttribute : FactAttribute
{
    public NcclFactAttribute()
    {
        if (!CudaLibraries.IsDriverUsable())
            Skip = "No CUDA driver or GPU on this machine.";
        else if (!NcclFound())
            Skip = "No NCCL on this machine.";
    }

    internal static bool NcclFound()
    {
        try
        {
            CudaLibraries.PathOf(CudaLibrary.Nccl);
            return true;
        }
        catch (CudaUnavailableException)
        {
            return false;
        }
    }
}

/// <summary>A test of how the toolkit behaves without NCCL; skipped on machines that have it.</summary>
public sealed class WithoutNcclFactAttribute : FactAttribute
{
    public WithoutNcclFactAttribute()
    {
        if (NcclFactAttribute.NcclFound())
            Skip = "This machine has NCCL.";
    }
}
