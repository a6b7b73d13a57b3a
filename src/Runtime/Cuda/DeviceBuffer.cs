using System;

namespace Kvpr.Runtime.Cuda
{
    /// <summary>A block of device memory of a known size: one it allocated and frees, or a part of another block (<see cref="Slice"/>).</summary>
    public sealed class DeviceBuffer : IDisposable
    {
        private readonly DeviceMemoryHandle? _handle;

        internal DeviceBuffer(DeviceMemoryHandle handle, long bytes)
        {
            _handle = handle;
            Address = handle.Address;
            Bytes = bytes;
        }

        private DeviceBuffer(ulong address, long bytes)
        {
            Address = address;
            Bytes = bytes;
        }

        public long Bytes { get; }
        public ulong Address { get; }

        /// <summary>Bytes [<paramref name="offset"/>, <paramref name="offset"/> + <paramref name="bytes"/>) of this block, which frees nothing: this block's owner does.</summary>
        internal DeviceBuffer Slice(long offset, long bytes)
        {
            if (offset < 0)
                throw new ArgumentOutOfRangeException(nameof(offset), offset, "A slice starts inside its block.");
            RequireCapacity(checked(offset + bytes), "sliced");
            return new DeviceBuffer(Address + (ulong)offset, bytes);
        }

        internal void RequireCapacity(long bytes, string role) => BufferCapacity.Require(Bytes, bytes, role);

        public void Dispose() => _handle?.Dispose();
    }
}
