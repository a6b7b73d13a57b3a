using System;
using Kvpr.Runtime.Cuda.Native;

namespace Kvpr.Runtime.Cuda
{
    /// <summary>
    /// fp16 GEMMs with fp32 accumulation through cuBLAS (cublasGemmEx, CUBLAS_COMPUTE_32F), in the project's
    /// row-major Linear convention: y[m,n] = x[m,k] · W[n,k]ᵀ.
    /// </summary>
    public sealed unsafe class CublasGemm : IDisposable
    {
        private const int HalfBytes = 2;

        /// <exception cref="CudaUnavailableException">cuBLAS is not installed.</exception>
        public CublasGemm(CudaDevice device)
        {
            CudaLibraries.PathOf(CudaLibrary.Cublas);
            device.MakeCurrent();
            Cublas.Check(Cublas.cublasCreate_v2(out var handle), nameof(Cublas.cublasCreate_v2));
            Handle = new CublasHandle(device.Context, handle);
            Cublas.Check(Cublas.cublasGetVersion_v2(handle, out int version), nameof(Cublas.cublasGetVersion_v2));
            Version = new Version(version / 10000, version / 100 % 100, version % 100);
        }

        public CublasHandle Handle { get; }
        public Version Version { get; }

        /// <summary>Queues later GEMMs on this stream.</summary>
        public void SetStream(CudaStream stream) =>
            Cublas.Check(Cublas.cublasSetStream_v2(Handle.DangerousGetHandle(), stream.Raw), nameof(Cublas.cublasSetStream_v2));

        /// <summary>y = x·Wᵀ with x [m,k], W [n,k], y [m,n], all row-major fp16; sums in fp32.</summary>
        public void MultiplyTransposed(DeviceBuffer x, DeviceBuffer weight, DeviceBuffer y, int m, int n, int k)
        {
            if (m <= 0 || n <= 0 || k <= 0)
                throw new ArgumentOutOfRangeException(nameof(m), $"GEMM dimensions must be positive, but are m={m}, n={n}, k={k}.");
            x.RequireCapacity((long)m * k * HalfBytes, nameof(x));
            weight.RequireCapacity((long)n * k * HalfBytes, nameof(weight));
            y.RequireCapacity((long)m * n * HalfBytes, nameof(y));
            float alpha = 1, beta = 0;
            // cuBLAS is column-major: a row-major [r,c] matrix is its column-major transpose, so yᵀ = W·xᵀ
            // is computed as (n×m) = op_T(W stored k×n) · (x stored k×m).
            int result = Cublas.cublasGemmEx(Handle.DangerousGetHandle(), Cublas.OperationTranspose, Cublas.OperationNone, n, m, k,
                &alpha, weight.Address, Cublas.DataTypeFloat16, k, x.Address, Cublas.DataTypeFloat16, k,
                &beta, y.Address, Cublas.DataTypeFloat16, n, Cublas.ComputeFloat32, Cublas.GemmDefaultAlgorithm);
            Cublas.Check(result, nameof(Cublas.cublasGemmEx));
        }

        public void Dispose() => Handle.Dispose();
    }
}
