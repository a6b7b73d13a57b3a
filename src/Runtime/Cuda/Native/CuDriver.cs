using System;
using System.Runtime.InteropServices;

namespace Kvpr.Runtime.Cuda.Native
{
    /// <summary>The CUDA driver API functions the toolkit uses (cuda.h); every one returns a CUresult (0 = success).</summary>
    internal static unsafe partial class CuDriver
    {
        static CuDriver() => CudaLibraries.EnsureResolver();

        internal const int AttributeMultiprocessorCount = 16;
        internal const int AttributeComputeCapabilityMajor = 75;
        internal const int AttributeComputeCapabilityMinor = 76;
        internal const uint StreamNonBlocking = 1;
        internal const uint EventDefault = 0;
        internal const uint EventDisableTiming = 2;
        internal const int MemoryTypeUnified = 4;
        internal const uint ContextScheduleBlockingSync = 4;

        /// <summary>CUDA_MEMCPY2D: a copy of Height rows of WidthInBytes, each side with its own pitch.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct Memcpy2D
        {
            public nuint SourceXInBytes, SourceY;
            public int SourceMemoryType;
            public IntPtr SourceHost;
            public ulong SourceDevice;
            public IntPtr SourceArray;
            public nuint SourcePitch;
            public nuint DestinationXInBytes, DestinationY;
            public int DestinationMemoryType;
            public IntPtr DestinationHost;
            public ulong DestinationDevice;
            public IntPtr DestinationArray;
            public nuint DestinationPitch;
            public nuint WidthInBytes, Height;
        }

        [LibraryImport(CudaLibraries.DriverImport)] internal static partial int cuInit(uint flags);
        [LibraryImport(CudaLibraries.DriverImport)] internal static partial int cuDriverGetVersion(out int version);
        [LibraryImport(CudaLibraries.DriverImport)] internal static partial int cuDeviceGetCount(out int count);
        [LibraryImport(CudaLibraries.DriverImport)] internal static partial int cuDeviceGet(out int device, int ordinal);
        [LibraryImport(CudaLibraries.DriverImport)] internal static partial int cuDeviceGetName(byte* name, int length, int device);
        [LibraryImport(CudaLibraries.DriverImport)] internal static partial int cuDeviceGetPCIBusId(byte* busId, int length, int device);
        [LibraryImport(CudaLibraries.DriverImport)] internal static partial int cuDeviceGetAttribute(out int value, int attribute, int device);
        [LibraryImport(CudaLibraries.DriverImport)] internal static partial int cuDeviceTotalMem_v2(out nuint bytes, int device);
        [LibraryImport(CudaLibraries.DriverImport)] internal static partial int cuDevicePrimaryCtxRetain(out IntPtr context, int device);
        [LibraryImport(CudaLibraries.DriverImport)] internal static partial int cuDevicePrimaryCtxSetFlags_v2(int device, uint flags);
        [LibraryImport(CudaLibraries.DriverImport)] internal static partial int cuDevicePrimaryCtxRelease_v2(int device);
        [LibraryImport(CudaLibraries.DriverImport)] internal static partial int cuCtxSetCurrent(IntPtr context);
        [LibraryImport(CudaLibraries.DriverImport)] internal static partial int cuCtxSynchronize();
        [LibraryImport(CudaLibraries.DriverImport)] internal static partial int cuMemGetInfo_v2(out nuint free, out nuint total);
        [LibraryImport(CudaLibraries.DriverImport)] internal static partial int cuMemAlloc_v2(out ulong devicePointer, nuint bytes);
        [LibraryImport(CudaLibraries.DriverImport)] internal static partial int cuMemFree_v2(ulong devicePointer);
        [LibraryImport(CudaLibraries.DriverImport)] internal static partial int cuMemHostAlloc(out IntPtr hostPointer, nuint bytes, uint flags);
        [LibraryImport(CudaLibraries.DriverImport)] internal static partial int cuMemFreeHost(IntPtr hostPointer);
        [LibraryImport(CudaLibraries.DriverImport)] internal static partial int cuMemHostRegister_v2(IntPtr hostPointer, nuint bytes, uint flags);
        [LibraryImport(CudaLibraries.DriverImport)] internal static partial int cuMemHostUnregister(IntPtr hostPointer);
        [LibraryImport(CudaLibraries.DriverImport)] internal static partial int cuMemcpyHtoDAsync_v2(ulong destination, IntPtr source, nuint bytes, IntPtr stream);
        [LibraryImport(CudaLibraries.DriverImport)] internal static partial int cuMemcpyDtoHAsync_v2(IntPtr destination, ulong source, nuint bytes, IntPtr stream);
        [LibraryImport(CudaLibraries.DriverImport)] internal static partial int cuMemcpyDtoDAsync_v2(ulong destination, ulong source, nuint bytes, IntPtr stream);
        [LibraryImport(CudaLibraries.DriverImport)] internal static partial int cuMemcpyAsync(ulong destination, ulong source, nuint bytes, IntPtr stream);
        [LibraryImport(CudaLibraries.DriverImport)] internal static partial int cuMemcpy2DAsync_v2(Memcpy2D* copy, IntPtr stream);
        [LibraryImport(CudaLibraries.DriverImport)] internal static partial int cuMemsetD8Async(ulong destination, byte value, nuint count, IntPtr stream);
        [LibraryImport(CudaLibraries.DriverImport)] internal static partial int cuStreamCreate(out IntPtr stream, uint flags);
        [LibraryImport(CudaLibraries.DriverImport)] internal static partial int cuStreamDestroy_v2(IntPtr stream);
        [LibraryImport(CudaLibraries.DriverImport)] internal static partial int cuStreamSynchronize(IntPtr stream);
        [LibraryImport(CudaLibraries.DriverImport)] internal static partial int cuStreamWaitEvent(IntPtr stream, IntPtr cudaEvent, uint flags);
        [LibraryImport(CudaLibraries.DriverImport)] internal static partial int cuLaunchHostFunc(IntPtr stream, delegate* unmanaged<IntPtr, void> function, IntPtr userData);
        [LibraryImport(CudaLibraries.DriverImport)] internal static partial int cuEventCreate(out IntPtr cudaEvent, uint flags);
        [LibraryImport(CudaLibraries.DriverImport)] internal static partial int cuEventDestroy_v2(IntPtr cudaEvent);
        [LibraryImport(CudaLibraries.DriverImport)] internal static partial int cuEventRecord(IntPtr cudaEvent, IntPtr stream);
        [LibraryImport(CudaLibraries.DriverImport)] internal static partial int cuEventSynchronize(IntPtr cudaEvent);
        [LibraryImport(CudaLibraries.DriverImport)] internal static partial int cuEventElapsedTime(out float milliseconds, IntPtr start, IntPtr end);
        [LibraryImport(CudaLibraries.DriverImport)] internal static partial int cuModuleLoadData(out IntPtr module, byte* image);
        [LibraryImport(CudaLibraries.DriverImport)] internal static partial int cuModuleUnload(IntPtr module);
        [LibraryImport(CudaLibraries.DriverImport, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int cuModuleGetFunction(out IntPtr function, IntPtr module, string name);
        [LibraryImport(CudaLibraries.DriverImport)]
        internal static partial int cuLaunchKernel(IntPtr function, uint gridX, uint gridY, uint gridZ, uint blockX, uint blockY, uint blockZ,
            uint sharedMemoryBytes, IntPtr stream, IntPtr* parameters, IntPtr* extra);
        [LibraryImport(CudaLibraries.DriverImport)] internal static partial int cuGetErrorName(int code, out IntPtr name);
        [LibraryImport(CudaLibraries.DriverImport)] internal static partial int cuGetErrorString(int code, out IntPtr text);

        internal static void Check(int code, string call) => CudaException.ThrowIfFailed(CudaLibrary.Driver, code, call);

        /// <summary>Name and text of a code the table lacks: asked of the driver for driver codes, else generic.</summary>
        internal static (string Name, string Text) DescribeUnknown(CudaLibrary library, int code)
        {
            var fallback = ($"{library.ToString().ToUpperInvariant()}_ERROR_{code}", "a code this toolkit does not know");
            if (library != CudaLibrary.Driver)
                return fallback;
            // A driver code reached us from a driver call, so the driver is loaded and can be asked.
            if (cuGetErrorName(code, out var name) == 0 && cuGetErrorString(code, out var text) == 0)
                return (Marshal.PtrToStringUTF8(name) ?? fallback.Item1, Marshal.PtrToStringUTF8(text) ?? fallback.Item2);
            return fallback;
        }

        /// <summary>Reads a NUL-terminated string a driver call writes into a caller's buffer.</summary>
        internal static string ReadString(Func<IntPtr, int, int> call, string callName)
        {
            const int capacity = 256;
            var buffer = stackalloc byte[capacity];
            Check(call((IntPtr)buffer, capacity), callName);
            return Marshal.PtrToStringUTF8((IntPtr)buffer) ?? "";
        }
    }
}
