using System;
using Kvpr.Runtime.Cuda.Native;

namespace Kvpr.Runtime.Cuda
{
    /// <summary>A CUevent from cuEventCreate.</summary>
    public sealed class CudaEventHandle : CudaResourceHandle
    {
        internal CudaEventHandle(CudaContextHandle context, IntPtr cudaEvent) : base(context, cudaEvent) { }
        protected override int Free(IntPtr value) => CuDriver.cuEventDestroy_v2(value);
    }
}
