using System;
using Kvpr.Runtime.Cuda.Native;

namespace Kvpr.Runtime.Cuda
{
    /// <summary>An ncclComm_t: one rank of a communicator, bound to the device whose context was current when it was made.</summary>
    internal sealed class NcclCommHandle : CudaResourceHandle
    {
        internal NcclCommHandle(CudaContextHandle context, IntPtr comm) : base(context, comm) { }

        protected override int Free(IntPtr value) => Nccl.ncclCommDestroy(value);
    }
}
