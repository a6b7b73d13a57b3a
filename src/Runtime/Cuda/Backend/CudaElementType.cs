using System;
using Kvpr.Runtime.Cuda.Native;

namespace Kvpr.Runtime.Cuda.Backend
{
    /// <summary>What one element of a CUDA buffer is: the model's 16-bit weight type (the kernels' elem_t) or fp32.</summary>
    internal enum CudaElementType
    {
        Float16,
        BFloat16,
        Float32,
    }

    internal static class CudaElementTypes
    {
        public static CudaElementType For(WeightType weightType) => weightType switch
        {
            WeightType.Float16 => CudaElementType.Float16,
            WeightType.BFloat16 => CudaElementType.BFloat16,
            _ => throw new ArgumentOutOfRangeException(nameof(weightType), weightType, "No CUDA element type for this weight type."),
        };

        public static int Bytes(this CudaElementType type) => type == CudaElementType.Float32 ? sizeof(float) : 2;

        /// <summary>The cudaDataType cuBLAS is told.</summary>
        public static int CublasType(this CudaElementType type) => type switch
        {
            CudaElementType.Float16 => Cublas.DataTypeFloat16,
            CudaElementType.BFloat16 => Cublas.DataTypeBFloat16,
            _ => Cublas.DataTypeFloat32,
        };
    }
}
