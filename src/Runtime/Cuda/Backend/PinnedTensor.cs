using System;
using Kvpr.Backend;

namespace Kvpr.Runtime.Cuda.Backend
{
    /// <summary>Pinned host memory of the CUDA backend (the host KV store), in elements of the model's 16-bit type.</summary>
    internal sealed class PinnedTensor : IHostBuffer
    {
        public const int ElementBytes = 2;

        public PinnedTensor(PinnedBuffer memory, long length)
        {
            Memory = memory;
            Length = length;
        }

        public PinnedBuffer Memory { get; }
        public long Length { get; }

        /// <summary>The (unified) address of element <paramref name="offset"/>, after checking that <paramref name="elements"/> from there fit.</summary>
        public ulong Address(long offset, long elements)
        {
            if (offset < 0 || elements < 0 || offset + elements > Length)
                throw new ArgumentOutOfRangeException(nameof(offset), $"Elements [{offset}, {offset + elements}) are outside a pinned host buffer of {Length} elements.");
            return Memory.Address + (ulong)(offset * ElementBytes);
        }

        public static PinnedTensor Of(IHostBuffer buffer) => buffer as PinnedTensor
            ?? throw new ArgumentException($"The CUDA backend cannot use a {buffer.GetType().Name}; allocate host buffers on the CUDA device.");
    }
}
