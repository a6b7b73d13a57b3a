using System;
using System.Runtime.InteropServices;

namespace Kvpr.Runtime.Cuda.Native
{
    /// <summary>The NCCL functions the toolkit uses (nccl.h); every one but the last-error getter returns an ncclResult_t (0 = success).</summary>
    internal static unsafe partial class Nccl
    {
        static Nccl() => CudaLibraries.EnsureResolver();

        internal const int DataTypeFloat16 = 6, DataTypeFloat32 = 7, DataTypeBFloat16 = 9;
        internal const int OperationSum = 0;

        [LibraryImport(CudaLibraries.NcclImport)] internal static partial int ncclGetVersion(out int version);
        [LibraryImport(CudaLibraries.NcclImport)] internal static partial int ncclGetUniqueId(out NcclUniqueId uniqueId);
        [LibraryImport(CudaLibraries.NcclImport)] internal static partial int ncclCommInitRank(out IntPtr comm, int rankCount, NcclUniqueId uniqueId, int rank);
        [LibraryImport(CudaLibraries.NcclImport)] internal static partial int ncclCommInitAll(IntPtr* comms, int deviceCount, int* devices);
        [LibraryImport(CudaLibraries.NcclImport)] internal static partial int ncclCommDestroy(IntPtr comm);
        [LibraryImport(CudaLibraries.NcclImport)]
        internal static partial int ncclAllReduce(ulong sendBuffer, ulong receiveBuffer, nuint count, int dataType, int operation, IntPtr comm, IntPtr stream);
        [LibraryImport(CudaLibraries.NcclImport)] internal static partial int ncclGroupStart();
        [LibraryImport(CudaLibraries.NcclImport)] internal static partial int ncclGroupEnd();
        [LibraryImport(CudaLibraries.NcclImport)] internal static partial IntPtr ncclGetLastError(IntPtr comm);

        /// <summary>
        /// A non-zero result becomes a <see cref="CudaException"/> with the last error NCCL logged as its detail (which rank,
        /// transport or CUDA call failed); NCCL is asked only after a failure.
        /// </summary>
        internal static void Check(int result, string call, IntPtr comm = default)
        {
            if (result != 0)
                throw CudaException.Create(CudaLibrary.Nccl, result, call, Detail(Marshal.PtrToStringUTF8(ncclGetLastError(comm)) ?? ""));
        }

        /// <summary>NCCL's last error as an exception's detail; null when NCCL logged none.</summary>
        internal static string? Detail(string lastError) => lastError.Length > 0 ? $"NCCL's last error: {lastError}" : null;
    }
}
