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

        private (IntPtr Stream, ulong Workspace, long Bytes)? _bound;

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

        /// <summary>Queues later GEMMs on this stream, with cuBLAS's own workspace.</summary>
        public void SetStream(CudaStream stream)
        {
            Cublas.Check(Cublas.cublasSetStream_v2(Handle.DangerousGetHandle(), stream.Raw), nameof(Cublas.cublasSetStream_v2));
            _bound = null;
        }

        /// <summary>
        /// Queues later GEMMs on <paramref name="stream"/> with <paramref name="workspace"/> (256-byte aligned) as their
        /// workspace, so cuBLAS allocates none of its own for them. Both are set together because setting the stream
        /// resets cuBLAS to its default workspace; binding what is already bound costs nothing.
        /// </summary>
        public void Bind(CudaStream stream, DeviceBuffer workspace)
        {
            if (_bound == (stream.Raw, workspace.Address, workspace.Bytes))
                return;
            SetStream(stream);
            Cublas.Check(Cublas.cublasSetWorkspace_v2(Handle.DangerousGetHandle(), workspace.Address, (nuint)workspace.Bytes), nameof(Cublas.cublasSetWorkspace_v2));
            _bound = (stream.Raw, workspace.Address, workspace.Bytes);
        }

        /// <summary>Back to the default stream and cuBLAS's own workspace, before the bound stream and workspace are released.</summary>
        public void Unbind()
        {
            Cublas.Check(Cublas.cublasSetStream_v2(Handle.DangerousGetHandle(), IntPtr.Zero), nameof(Cublas.cublasSetStream_v2));
            _bound = null;
        }

        /// <summary>y = x·Wᵀ with x [m,k], W [n,k], y [m,n], all row-major fp16; sums in fp32.</summary>
        public void MultiplyTransposed(DeviceBuffer x, DeviceBuffer weight, DeviceBuffer y, int m, int n, int k) =>
            MultiplyTransposedBatched(x, 0, 0, weight, y, 0, 0, batches: 1, m, n, k);

        /// <summary>
        /// The same product for <paramref name="batches"/> blocks of <paramref name="m"/> rows sharing one weight:
        /// block b of x starts at element <paramref name="xOffset"/> + b·<paramref name="xStride"/>, likewise y. This is
        /// "the first l tokens of every sequence" of a [batch][capacity][width] buffer (stride = capacity·width),
        /// leaving the other rows untouched.
        /// </summary>
        public void MultiplyTransposedBatched(DeviceBuffer x, long xOffset, long xStride, DeviceBuffer weight, DeviceBuffer y, long yOffset, long yStride,
            int batches, int m, int n, int k)
        {
            if (batches <= 0 || m <= 0 || n <= 0 || k <= 0)
                throw new ArgumentOutOfRangeException(nameof(m), $"GEMM dimensions must be positive, but are batches={batches}, m={m}, n={n}, k={k}.");
            if (xOffset < 0 || yOffset < 0 || (batches > 1 && (xStride < (long)m * k || yStride < (long)m * n)))
                throw new ArgumentOutOfRangeException(nameof(xStride), $"Offsets must not be negative and batches must not overlap (x stride {xStride} < {(long)m * k} or y stride {yStride} < {(long)m * n}).");
            x.RequireCapacity((xOffset + (batches - 1) * xStride + (long)m * k) * HalfBytes, nameof(x));
            weight.RequireCapacity((long)n * k * HalfBytes, nameof(weight));
            y.RequireCapacity((yOffset + (batches - 1) * yStride + (long)m * n) * HalfBytes, nameof(y));
            Multiply(x.Address + (ulong)(xOffset * HalfBytes), xStride, weight.Address, y.Address + (ulong)(yOffset * HalfBytes), yStride,
                batches, m, n, k, Cublas.DataTypeFloat16, Cublas.DataTypeFloat16);
        }

        /// <summary>
        /// The product on raw device addresses: <paramref name="batches"/> blocks of <paramref name="m"/> rows (strides in
        /// elements) times one weight of <paramref name="inputType"/>, written as <paramref name="outputType"/> (a cudaDataType:
        /// fp16, bf16, or fp32 for logits); sums in fp32. The caller has checked the bounds.
        /// </summary>
        internal void Multiply(ulong x, long xStride, ulong weight, ulong y, long yStride, int batches, int m, int n, int k, int inputType, int outputType)
        {
            float alpha = 1, beta = 0;
            var handle = Handle.DangerousGetHandle();
            // cuBLAS is column-major: a row-major [r,c] matrix is its column-major transpose, so yᵀ = W·xᵀ
            // is computed as (n×m) = op_T(W stored k×n) · (x stored k×m); the weight's batch stride is 0.
            if (batches == 1)
            {
                int single = Cublas.cublasGemmEx(handle, Cublas.OperationTranspose, Cublas.OperationNone, n, m, k,
                    &alpha, weight, inputType, k, x, inputType, k,
                    &beta, y, outputType, n, Cublas.ComputeFloat32, Cublas.GemmDefaultAlgorithm);
                Cublas.Check(single, nameof(Cublas.cublasGemmEx));
                return;
            }
            int result = Cublas.cublasGemmStridedBatchedEx(handle, Cublas.OperationTranspose, Cublas.OperationNone, n, m, k,
                &alpha, weight, inputType, k, 0, x, inputType, k, xStride,
                &beta, y, outputType, n, yStride, batches, Cublas.ComputeFloat32, Cublas.GemmDefaultAlgorithm);
            Cublas.Check(result, nameof(Cublas.cublasGemmStridedBatchedEx));
        }

        public void Dispose() => Handle.Dispose();
    }
}
