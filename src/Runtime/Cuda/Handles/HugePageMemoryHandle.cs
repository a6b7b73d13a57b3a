using System;
using System.Runtime.InteropServices;
using System.Threading.Tasks;
using Kvpr.Runtime.Cuda.Native;

namespace Kvpr.Runtime.Cuda
{
    /// <summary>
    /// Page-locked host memory in transparent huge pages: anonymous memory advised MADV_HUGEPAGE, 2 MiB aligned,
    /// faulted in on all cores, then registered with the driver. On the H100 box the first token of OPT-6.7B batch 32
    /// (26.6 GB of host store) came 3.2–3.3 s after the start of a generation, against 6.5–7.2 s without the parallel
    /// fault-in and 14.5–19.4 s from cuMemHostAlloc; copies from it ran as fast (docs/performance.md).
    /// </summary>
    public sealed class HugePageMemoryHandle : CudaResourceHandle
    {
        /// <summary>Smaller blocks (staging, token ids) stay cuMemHostAlloc memory: huge pages pay off over large regions.</summary>
        private const long MinimumBytes = 64L << 20;

        private const long HugePageBytes = 2L << 20;
        private readonly IntPtr _mapping;
        private readonly nuint _mappingBytes;

        private HugePageMemoryHandle(CudaContextHandle context, IntPtr registered, IntPtr mapping, nuint mappingBytes) : base(context, registered)
        {
            _mapping = mapping;
            _mappingBytes = mappingBytes;
        }

        /// <summary>
        /// <paramref name="bytes"/> of registered huge-page memory, or null where it does not pay or is not possible
        /// (a small block, not Linux, no mapping, the driver refuses to register it), so the caller takes cuMemHostAlloc.
        /// </summary>
        internal static HugePageMemoryHandle? TryAllocate(CudaContextHandle context, long bytes)
        {
            if (bytes < MinimumBytes || !OperatingSystem.IsLinux())
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
            FaultIn(start.ToInt64(), bytes);
            if (CuDriver.cuMemHostRegister_v2(start, (nuint)bytes, 0) != 0)
            {
                Libc.Unmap(mapping, mappingBytes);
                return null;
            }
            return new HugePageMemoryHandle(context, start, mapping, mappingBytes);
        }

        /// <summary>
        /// Touches every page on all cores, so the kernel allocates and zeroes them in parallel rather than one by one
        /// while the driver pins the range.
        /// </summary>
        private static unsafe void FaultIn(long start, long bytes)
        {
            const int SmallPageBytes = 4096;
            long blocks = (bytes + HugePageBytes - 1) / HugePageBytes;
            Parallel.For(0L, blocks, block =>
            {
                long end = Math.Min(bytes, (block + 1) * HugePageBytes);
                for (long offset = block * HugePageBytes; offset < end; offset += SmallPageBytes)
                    ((byte*)start)[offset] = 0;
            });
        }

        protected override int Free(IntPtr value)
        {
            int result = CuDriver.cuMemHostUnregister(value);
            return Libc.Unmap(_mapping, _mappingBytes) == 0 ? result : Marshal.GetLastPInvokeError();
        }
    }
}
