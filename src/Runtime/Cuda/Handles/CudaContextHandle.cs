using System;
using System.Runtime.InteropServices;
using Kvpr.Runtime.Cuda.Native;

namespace Kvpr.Runtime.Cuda
{
    /// <summary>A retained primary context of one device; released (not destroyed) so that cuBLAS and others may share it.</summary>
    public sealed class CudaContextHandle : SafeHandle
    {
        private CudaContextHandle(IntPtr context, int device) : base(IntPtr.Zero, ownsHandle: true)
        {
            SetHandle(context);
            Device = device;
        }

        public int Device { get; }

        public override bool IsInvalid => handle == IntPtr.Zero;

        internal static CudaContextHandle RetainPrimary(int device)
        {
            // Threads waiting for the GPU block rather than spin: a spinning wait holds a core for a whole decode step,
            // which CPU attention needs. Decode steps last milliseconds, so a blocking wake-up's microseconds do not count.
            CuDriver.Check(CuDriver.cuDevicePrimaryCtxSetFlags_v2(device, CuDriver.ContextScheduleBlockingSync), nameof(CuDriver.cuDevicePrimaryCtxSetFlags_v2));
            CuDriver.Check(CuDriver.cuDevicePrimaryCtxRetain(out var context, device), nameof(CuDriver.cuDevicePrimaryCtxRetain));
            return new CudaContextHandle(context, device);
        }

        /// <summary>Makes this context current on the calling thread (CUDA's current context is per thread).</summary>
        public void MakeCurrent() => CuDriver.Check(CuDriver.cuCtxSetCurrent(handle), nameof(CuDriver.cuCtxSetCurrent));

        protected override bool ReleaseHandle() => CuDriver.cuDevicePrimaryCtxRelease_v2(Device) == 0;
    }
}
