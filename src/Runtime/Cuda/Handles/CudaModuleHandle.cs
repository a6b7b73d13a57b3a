using System;
using Kvpr.Runtime.Cuda.Native;

namespace Kvpr.Runtime.Cuda
{
    /// <summary>A CUmodule from cuModuleLoadData; its kernels are valid while it is loaded.</summary>
    public sealed class CudaModuleHandle : CudaResourceHandle
    {
        internal CudaModuleHandle(CudaContextHandle context, IntPtr module) : base(context, module) { }
        protected override int Free(IntPtr value) => CuDriver.cuModuleUnload(value);
    }
}
