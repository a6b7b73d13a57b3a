using System;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Kvpr.Checkpoints;
using Kvpr.Host;
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

        /// <summary>The ncclDataType_t NCCL is told.</summary>
        public static int NcclType(this CudaElementType type) => type switch
        {
            CudaElementType.Float16 => Nccl.DataTypeFloat16,
            CudaElementType.BFloat16 => Nccl.DataTypeBFloat16,
            _ => Nccl.DataTypeFloat32,
        };

        /// <summary>The same element as CPU attention reads it from host memory.</summary>
        public static HostElementType HostElement(this CudaElementType type) => type switch
        {
            CudaElementType.Float16 => HostElementType.Float16,
            CudaElementType.BFloat16 => HostElementType.BFloat16,
            _ => HostElementType.Float32,
        };

        /// <summary>fp32 values as elements of this type in <paramref name="destination"/>'s bytes, rounded to nearest even.</summary>
        public static void Narrow(this CudaElementType type, ReadOnlySpan<float> values, Span<byte> destination)
        {
            switch (type)
            {
                case CudaElementType.Float32:
                    values.CopyTo(MemoryMarshal.Cast<byte, float>(destination));
                    break;
                case CudaElementType.Float16:
                    TensorPrimitives.ConvertToHalf(values, MemoryMarshal.Cast<byte, Half>(destination));
                    break;
                default:
                    BFloat16.Round(values, MemoryMarshal.Cast<byte, ushort>(destination));
                    break;
            }
        }

        /// <summary>
        /// The first <paramref name="destination"/>.Length elements of this type in <paramref name="source"/>'s bytes,
        /// widened to fp32 (exactly); a staging buffer may hold more bytes than are read.
        /// </summary>
        public static void Widen(this CudaElementType type, ReadOnlySpan<byte> source, Span<float> destination) =>
            TensorConversion.ToSingle(source[..(destination.Length * type.Bytes())], type.DType(), destination);

        /// <summary>The safetensors type whose elements this type's bytes hold.</summary>
        private static SafetensorsDType DType(this CudaElementType type) => type switch
        {
            CudaElementType.Float16 => SafetensorsDType.F16,
            CudaElementType.BFloat16 => SafetensorsDType.BF16,
            _ => SafetensorsDType.F32,
        };
    }
}
