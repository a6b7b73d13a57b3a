using System;

namespace Kvpr.Runtime.Cuda
{
    /// <summary>A block of page-locked host memory, readable and writable from .NET as a span.</summary>
    public sealed unsafe class PinnedBuffer : IDisposable
    {
        internal PinnedBuffer(CudaResourceHandle handle, long bytes)
        {
            Handle = handle;
            Bytes = bytes;
        }

        public CudaResourceHandle Handle { get; }
        public long Bytes { get; }
        public IntPtr Pointer => Handle.DangerousGetHandle();

        /// <summary>The pointer as a unified address, which copies take for host and device memory alike.</summary>
        internal ulong Address => (ulong)(long)Pointer;

        /// <summary>The buffer as elements of <typeparamref name="T"/>; at most int.MaxValue of them, as spans allow.</summary>
        public Span<T> AsSpan<T>() where T : unmanaged
        {
            long count = Bytes / sizeof(T);
            if (count > int.MaxValue)
                throw new InvalidOperationException($"A pinned buffer of {Bytes} bytes holds more {typeof(T).Name} values than one span can.");
            return new Span<T>((void*)Pointer, (int)count);
        }

        internal void RequireCapacity(long bytes, string role) => BufferCapacity.Require(Bytes, bytes, role);

        public void Dispose() => Handle.Dispose();
    }
}
