using System;
using Kvpr.Runtime.Cuda.Native;

namespace Kvpr.Runtime.Cuda
{
    /// <summary>Page-locked host memory from cuMemHostAlloc: what the GPU's copy engines read at full PCIe speed (small blocks; see <see cref="HugePageMemoryHandle"/>).</summary>
    public sealed class PinnedMemoryHandle : CudaResourceHandle
    {
        internal PinnedMemoryHandle(CudaContextHandle context, IntPtr pointer) : base(context, pointer) { }
        protected override int Free(IntPtr value) => CuDriver.cuMemFreeHost(value);
    }
}
