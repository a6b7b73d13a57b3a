using System;
using System.Runtime.InteropServices;

namespace Kvpr.Runtime.Cuda.Native
{
    /// <summary>The cuBLAS functions the toolkit uses (cublas_api.h); every one returns a cublasStatus_t (0 = success).</summary>
    internal static unsafe partial class Cublas
    {
        static Cublas() => CudaLibraries.EnsureResolver();

        internal const int OperationNone = 0, OperationTranspose = 1;
        internal const int DataTypeFloat32 = 0, DataTypeFloat16 = 2, DataTypeBFloat16 = 14;
        internal const int ComputeFloat32 = 68;
        internal const int GemmDefaultAlgorithm = -1;

        [LibraryImport(CudaLibraries.CublasImport)] internal static partial int cublasCreate_v2(out IntPtr handle);
        [LibraryImport(CudaLibraries.CublasImport)] internal static partial int cublasDestroy_v2(IntPtr handle);
        [LibraryImport(CudaLibraries.CublasImport)] internal static partial int cublasGetVersion_v2(IntPtr handle, out int version);
        [LibraryImport(CudaLibraries.CublasImport)] internal static partial int cublasSetStream_v2(IntPtr handle, IntPtr stream);
        [LibraryImport(CudaLibraries.CublasImport)] internal static partial int cublasSetWorkspace_v2(IntPtr handle, ulong workspace, nuint workspaceSizeInBytes);
        [LibraryImport(CudaLibraries.CublasImport)]
        internal static partial int cublasGemmEx(IntPtr handle, int transposeA, int transposeB, int m, int n, int k,
            float* alpha, ulong a, int aType, int lda, ulong b, int bType, int ldb,
            float* beta, ulong c, int cType, int ldc, int computeType, int algorithm);
        [LibraryImport(CudaLibraries.CublasImport)]
        internal static partial int cublasGemmStridedBatchedEx(IntPtr handle, int transposeA, int transposeB, int m, int n, int k,
            float* alpha, ulong a, int aType, int lda, long strideA, ulong b, int bType, int ldb, long strideB,
            float* beta, ulong c, int cType, int ldc, long strideC, int batchCount, int computeType, int algorithm);

        internal static void Check(int code, string call) => CudaException.ThrowIfFailed(CudaLibrary.Cublas, code, call);
    }
}
