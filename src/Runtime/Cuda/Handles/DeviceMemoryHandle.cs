using System;
using Kvpr.Runtime.Cuda.Native;

namespace Kvpr.Runtime.Cuda
{
    /// <summary>Device memory from cuMemAlloc; the handle's value is the device address.</summary>
    public sealed class DeviceMemoryHandle : CudaResourceHandle
    {
        internal DeviceMemoryHandle(CudaContextHandle context, ulong address) : base(context, (IntPtr)(long)address) { }
        public ulong Address => (ulong)(long)handle;
        protected override int Free(IntPtr value) => CuDriver.cuMemFree_v2((ulong)(long)value);
    }
}
