using System;
using Kvpr.Backend;

namespace Kvpr.Runtime.Cuda.Backend
{
    /// <summary>Device memory of the CUDA backend: elements of one <see cref="CudaElementType"/>, addressed by element.</summary>
    internal sealed class CudaTensor : IDeviceBuffer
    {
        public CudaTensor(DeviceBuffer memory, CudaElementType elementType, long length)
        {
            Memory = memory;
            ElementType = elementType;
            Length = length;
        }

        public DeviceBuffer Memory { get; }
        public CudaElementType ElementType { get; }
        public long Length { get; }

        /// <summary>The device address of element <paramref name="offset"/>, after checking that <paramref name="elements"/> from there fit.</summary>
        public ulong Address(long offset = 0, long elements = 0)
        {
            if (offset < 0 || elements < 0 || offset + elements > Length)
                throw new ArgumentOutOfRangeException(nameof(offset), $"Elements [{offset}, {offset + elements}) are outside a device buffer of {Length} {ElementType} elements.");
            return Memory.Address + (ulong)(offset * ElementType.Bytes());
        }

        public static CudaTensor Of(IDeviceBuffer buffer) => buffer as CudaTensor
            ?? throw new ArgumentException($"The CUDA backend cannot use a {buffer.GetType().Name}; allocate buffers on the CUDA device.");
    }
}
