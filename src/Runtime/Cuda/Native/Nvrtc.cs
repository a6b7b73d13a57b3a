using System;
using System.Runtime.InteropServices;

namespace Kvpr.Runtime.Cuda.Native
{
    /// <summary>The NVRTC functions the toolkit uses (nvrtc.h); every one returns an nvrtcResult (0 = success).</summary>
    internal static unsafe partial class Nvrtc
    {
        static Nvrtc() => CudaLibraries.EnsureResolver();

        [LibraryImport(CudaLibraries.NvrtcImport)] internal static partial int nvrtcVersion(out int major, out int minor);
        [LibraryImport(CudaLibraries.NvrtcImport)] internal static partial int nvrtcGetNumSupportedArchs(out int count);
        [LibraryImport(CudaLibraries.NvrtcImport)] internal static partial int nvrtcGetSupportedArchs(int* architectures);
        [LibraryImport(CudaLibraries.NvrtcImport, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int nvrtcCreateProgram(out IntPtr program, string source, string name, int headerCount, IntPtr* headers, IntPtr* includeNames);
        [LibraryImport(CudaLibraries.NvrtcImport)] internal static partial int nvrtcCompileProgram(IntPtr program, int optionCount, IntPtr* options);
        [LibraryImport(CudaLibraries.NvrtcImport)] internal static partial int nvrtcGetProgramLogSize(IntPtr program, out nuint size);
        [LibraryImport(CudaLibraries.NvrtcImport)] internal static partial int nvrtcGetProgramLog(IntPtr program, byte* log);
        [LibraryImport(CudaLibraries.NvrtcImport)] internal static partial int nvrtcGetCUBINSize(IntPtr program, out nuint size);
        [LibraryImport(CudaLibraries.NvrtcImport)] internal static partial int nvrtcGetCUBIN(IntPtr program, byte* cubin);
        [LibraryImport(CudaLibraries.NvrtcImport)] internal static partial int nvrtcDestroyProgram(ref IntPtr program);

        internal static void Check(int code, string call) => CudaException.ThrowIfFailed(CudaLibrary.Nvrtc, code, call);
    }
}
