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

    /// <summary>Device memory from cuMemAlloc; the handle's value is the device address.</summary>
    public sealed class DeviceMemoryHandle : CudaResourceHandle
    {
        internal DeviceMemoryHandle(CudaContextHandle context, ulong address) : base(context, (IntPtr)(long)address) { }
        public ulong Address => (ulong)(long)handle;
        protected override int Free(IntPtr value) => CuDriver.cuMemFree_v2((ulong)(long)value);
    }

    /// <summary>Page-locked host memory from cuMemHostAlloc: what the GPU's copy engines read at full PCIe speed.</summary>
    public sealed class PinnedMemoryHandle : CudaResourceHandle
    {
        internal PinnedMemoryHandle(CudaContextHandle context, IntPtr pointer) : base(context, pointer) { }
        protected override int Free(IntPtr value) => CuDriver.cuMemFreeHost(value);
    }

    public sealed class CudaStreamHandle : CudaResourceHandle
    {
        internal CudaStreamHandle(CudaContextHandle context, IntPtr stream) : base(context, stream) { }
        protected override int Free(IntPtr value) => CuDriver.cuStreamDestroy_v2(value);
    }

    public sealed class CudaEventHandle : CudaResourceHandle
    {
        internal CudaEventHandle(CudaContextHandle context, IntPtr cudaEvent) : base(context, cudaEvent) { }
        protected override int Free(IntPtr value) => CuDriver.cuEventDestroy_v2(value);
    }

    public sealed class CudaModuleHandle : CudaResourceHandle
    {
        internal CudaModuleHandle(CudaContextHandle context, IntPtr module) : base(context, module) { }
        protected override int Free(IntPtr value) => CuDriver.cuModuleUnload(value);
    }
}
