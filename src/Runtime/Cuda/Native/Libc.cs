using System;
using System.Runtime.InteropServices;

namespace Kvpr.Runtime.Cuda.Native
{
    /// <summary>The few glibc calls that map anonymous memory in transparent huge pages (Linux only).</summary>
    internal static partial class Libc
    {
        private const string Library = "libc.so.6";
        internal const int ProtectionReadWrite = 0x1 | 0x2;
        internal const int MapPrivateAnonymous = 0x02 | 0x20;
        internal const int AdviseHugePage = 14;
        internal static readonly IntPtr MapFailed = new(-1);

        [LibraryImport(Library, EntryPoint = "mmap", SetLastError = true)] internal static partial IntPtr Map(IntPtr address, nuint length, int protection, int flags, int fileDescriptor, nint offset);
        [LibraryImport(Library, EntryPoint = "munmap", SetLastError = true)] internal static partial int Unmap(IntPtr address, nuint length);
        [LibraryImport(Library, EntryPoint = "madvise", SetLastError = true)] internal static partial int Advise(IntPtr address, nuint length, int advice);
    }
}
