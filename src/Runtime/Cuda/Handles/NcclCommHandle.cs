using System;
using Kvpr.Runtime.Cuda.Native;

namespace Kvpr.Runtime.Cuda
{
    /// <summary>An ncclComm_t: one rank of a communicator, bound to the device whose context was current when it was made.</summary>
    internal sealed class NcclCommHandle : CudaResourceHandle
    {
        private bool _abort;

        internal NcclCommHandle(CudaContextHandle context, IntPtr comm) : base(context, comm) { }

        /// <summary>Releases with ncclCommAbort: it neither waits for queued collectives nor for the other ranks, which may be gone.</summary>
        public void Abort()
        {
            _abort = true;
            Dispose();
        }

        protected override int Free(IntPtr value) => _abort ? Nccl.ncclCommAbort(value) : Nccl.ncclCommDestroy(value);
    }
}
