using System;
using Kvpr.Runtime.Cuda.Native;

namespace Kvpr.Runtime.Cuda
{
    /// <summary>A cuBLAS library context, bound to the CUDA context that was current when it was created.</summary>
    public sealed class CublasHandle : CudaResourceHandle
    {
        internal CublasHandle(CudaContextHandle context, IntPtr cublas) : base(context, cublas) { }
        protected override int Free(IntPtr value) => Cublas.cublasDestroy_v2(value);
    }
}
