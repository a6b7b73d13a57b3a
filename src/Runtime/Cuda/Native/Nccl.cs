using System;
using System.Runtime.InteropServices;

namespace Kvpr.Runtime.Cuda.Native
{
    /// <summary>The NCCL functions the toolkit uses (nccl.h); every one but the two string getters returns an ncclResult_t (0 = success).</summary>
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
        [LibraryImport(CudaLibraries.NcclImport)] internal static partial int ncclCommAbort(IntPtr comm);
        [LibraryImport(CudaLibraries.NcclImport)]
        internal static partial int ncclAllReduce(ulong sendBuffer, ulong receiveBuffer, nuint count, int dataType, int operation, IntPtr comm, IntPtr stream);
        [LibraryImport(CudaLibraries.NcclImport)] internal static partial int ncclGroupStart();
        [LibraryImport(CudaLibraries.NcclImport)] internal static partial int ncclGroupEnd();
        [LibraryImport(CudaLibraries.NcclImport)] internal static partial IntPtr ncclGetErrorString(int result);
        [LibraryImport(CudaLibraries.NcclImport)] internal static partial IntPtr ncclGetLastError(IntPtr comm);

        /// <summary>
        /// A non-zero result becomes an <see cref="NcclException"/> with NCCL's own words for it: the code's string and the
        /// last error NCCL logged (which says which rank, transport or CUDA call failed).
        /// </summary>
        internal static void Check(int result, string call, IntPtr comm = default)
        {
            if (result != 0)
                throw new NcclException(call, result, Marshal.PtrToStringUTF8(ncclGetErrorString(result)) ?? "", Marshal.PtrToStringUTF8(ncclGetLastError(comm)) ?? "");
        }
    }
}
