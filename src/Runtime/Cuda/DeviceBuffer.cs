using System;

namespace Kvpr.Runtime.Cuda
{
    /// <summary>A block of device memory of a known size.</summary>
    public sealed class DeviceBuffer : IDisposable
    {
        internal DeviceBuffer(DeviceMemoryHandle handle, long bytes)
        {
            Handle = handle;
            Bytes = bytes;
        }

        public DeviceMemoryHandle Handle { get; }
        public long Bytes { get; }
        public ulong Address => Handle.Address;

        internal void RequireCapacity(long bytes, string role) => BufferCapacity.Require(Bytes, bytes, role);

        public void Dispose() => Handle.Dispose();
    }
}
