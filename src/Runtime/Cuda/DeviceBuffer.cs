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

        /// <summary>Throws unless <paramref name="bytes"/> fit in this buffer; <paramref name="role"/> names it in the message.</summary>
        internal void RequireCapacity(long bytes, string role)
        {
            if (bytes < 0 || bytes > Bytes)
                throw new ArgumentException($"The {role} buffer holds {Bytes} bytes, but {bytes} are needed.", role);
        }

        public void Dispose() => Handle.Dispose();
    }
}
