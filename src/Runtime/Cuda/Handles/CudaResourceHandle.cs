using System;
using System.Runtime.InteropServices;
using Kvpr.Runtime.Cuda.Native;

namespace Kvpr.Runtime.Cuda
{
    /// <summary>
    /// A handle to something that lives in a CUDA context (memory, stream, event, module). It keeps the context
    /// alive and makes it current before freeing, since release can run on any thread, the finaliser's included.
    /// </summary>
    public abstract class CudaResourceHandle : SafeHandle
    {
        private readonly CudaContextHandle _context;

        protected CudaResourceHandle(CudaContextHandle context, IntPtr value) : base(IntPtr.Zero, ownsHandle: true)
        {
            bool added = false;
            context.DangerousAddRef(ref added);
            _context = context;
            SetHandle(value);
        }

        public override bool IsInvalid => handle == IntPtr.Zero;

        protected sealed override bool ReleaseHandle()
        {
            try
            {
                return CuDriver.cuCtxSetCurrent(_context.DangerousGetHandle()) == 0 && Free(handle) == 0;
            }
            finally
            {
                _context.DangerousRelease();
            }
        }

        /// <summary>Frees the resource with the context current; returns the CUresult.</summary>
        protected abstract int Free(IntPtr value);
    }
}
