using System;
using System.Runtime.InteropServices;
using Kvpr.Runtime.Cuda.Native;

namespace Kvpr.Host
{
    /// <summary>
    /// A probe's memory laid out as the host store's (HugePageMemoryHandle): anonymous, 2 MiB aligned and advised into
    /// transparent huge pages on Linux, so a probe pays the TLB misses that CPU attention pays on the store, not those of
    /// 4 KiB pages. Elsewhere, or where mapping fails, plain native memory.
    /// </summary>
    internal sealed unsafe class HostProbeBuffer : IDisposable
    {
        private const long HugePageBytes = 2L << 20;
        private readonly IntPtr _mapping;
        private readonly nuint _mappingBytes;

        public HostProbeBuffer(long bytes)
        {
            if (OperatingSystem.IsLinux())
            {
                _mappingBytes = (nuint)(bytes + HugePageBytes);
                _mapping = Libc.Map(IntPtr.Zero, _mappingBytes, Libc.ProtectionReadWrite, Libc.MapPrivateAnonymous, -1, 0);
                if (_mapping != Libc.MapFailed)
                {
                    Pointer = (byte*)((_mapping.ToInt64() + HugePageBytes - 1) & ~(HugePageBytes - 1));
                    Libc.Advise((IntPtr)Pointer, (nuint)bytes, Libc.AdviseHugePage);
                    return;
                }
                _mapping = IntPtr.Zero;
            }
            Pointer = (byte*)NativeMemory.AlignedAlloc((nuint)bytes, (nuint)HugePageBytes);
        }

        public byte* Pointer { get; }

        public void Dispose()
        {
            if (_mapping != IntPtr.Zero)
                Libc.Unmap(_mapping, _mappingBytes);
            else
                NativeMemory.AlignedFree(Pointer);
        }
    }
}
