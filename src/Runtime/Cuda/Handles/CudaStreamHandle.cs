using System;
using Kvpr.Runtime.Cuda.Native;

namespace Kvpr.Runtime.Cuda
{
    /// <summary>A CUstream from cuStreamCreate.</summary>
    public sealed class CudaStreamHandle : CudaResourceHandle
    {
        internal CudaStreamHandle(CudaContextHandle context, IntPtr stream) : base(context, stream) { }
        protected override int Free(IntPtr value) => CuDriver.cuStreamDestroy_v2(value);
    }
}
