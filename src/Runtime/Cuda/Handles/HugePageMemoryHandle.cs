using System;
using System.Runtime.InteropServices;
using Kvpr.Runtime.Cuda.Native;

namespace Kvpr.Runtime.Cuda
{
    /// <summary>
    /// Page-locked host memory in transparent huge pages: anonymous memory advised MADV_HUGEPAGE, 2 MiB aligned,
    /// then registered with the driver. Pinning the host store this way took half the time of cuMemHostAlloc on the
    /// H100 box (OPT-6.7B batch 32: 6.5–7.2 s against 14.5–19.4 s from the start of a generation to its first token);
    /// copies from it ran as fast (docs/performance.md).
    /// </summary>
    public sealed class HugePageMemoryHandle : CudaResourceHandle
    {
        /// <summary>Smaller blocks (staging, token ids) stay cuMemHostAlloc memory: huge pages pay off over large regions.</summary>
        public const long MinimumBytes = 64L << 20;

        private const long HugePageBytes = 2L << 20;
        private readonly IntPtr _mapping;
        private readonly nuint _mappingBytes;

        private HugePageMemoryHandle(CudaContextHandle context, IntPtr registered, IntPtr mapping, nuint mappingBytes) : base(context, registered)
        {
            _mapping = mapping;
            _mappingBytes = mappingBytes;
        }

        /// <summary>
        /// <paramref name="bytes"/> of registered huge-page memory, or null where that is not possible (not Linux, no
        /// mapping, the driver refuses to register it), so the caller falls back to cuMemHostAlloc.
        /// </summary>
        internal static HugePageMemoryHandle? TryAllocate(CudaContextHandle context, long bytes)
        {
            if (!OperatingSystem.IsLinux())
                return null;
            // One extra huge page lets the registered range start on a 2 MiB boundary, where the kernel can back it with huge pages.
            var mappingBytes = (nuint)(bytes + HugePageBytes);
            IntPtr mapping;
            try
            {
                mapping = Libc.Map(IntPtr.Zero, mappingBytes, Libc.ProtectionReadWrite, Libc.MapPrivateAnonymous, -1, 0);
            }
            catch (DllNotFoundException)
            {
                return null;
            }
            if (mapping == Libc.MapFailed)
                return null;
            var start = new IntPtr((mapping.ToInt64() + HugePageBytes - 1) & ~(HugePageBytes - 1));
            // Advice only: without transparent huge pages the memory is still good, in 4 KiB pages.
            Libc.Advise(start, (nuint)bytes, Libc.AdviseHugePage);
            if (CuDriver.cuMemHostRegister_v2(start, (nuint)bytes, 0) != 0)
            {
                Libc.Unmap(mapping, mappingBytes);
                return null;
            }
            return new HugePageMemoryHandle(context, start, mapping, mappingBytes);
        }

        protected override int Free(IntPtr value)
        {
            int result = CuDriver.cuMemHostUnregister(value);
            return Libc.Unmap(_mapping, _mappingBytes) == 0 ? result : Marshal.GetLastPInvokeError();
        }
    }
}
