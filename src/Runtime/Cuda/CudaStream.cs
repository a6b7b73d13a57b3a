using System;
using Kvpr.Runtime.Cuda.Native;

namespace Kvpr.Runtime.Cuda
{
    /// <summary>An ordered queue of device work; copies between pinned host memory and the device run asynchronously on it.</summary>
    public sealed class CudaStream : IDisposable
    {
        internal CudaStream(CudaStreamHandle handle) => Handle = handle;

        public CudaStreamHandle Handle { get; }
        internal IntPtr Raw => Handle.DangerousGetHandle();

        public void CopyAsync(DeviceBuffer destination, PinnedBuffer source, long bytes)
        {
            destination.RequireCapacity(bytes, nameof(destination));
            source.RequireCapacity(bytes, nameof(source));
            CuDriver.Check(CuDriver.cuMemcpyHtoDAsync_v2(destination.Address, source.Pointer, (nuint)bytes, Raw), nameof(CuDriver.cuMemcpyHtoDAsync_v2));
        }

        public void CopyAsync(PinnedBuffer destination, DeviceBuffer source, long bytes)
        {
            destination.RequireCapacity(bytes, nameof(destination));
            source.RequireCapacity(bytes, nameof(source));
            CuDriver.Check(CuDriver.cuMemcpyDtoHAsync_v2(destination.Pointer, source.Address, (nuint)bytes, Raw), nameof(CuDriver.cuMemcpyDtoHAsync_v2));
        }

        public void CopyAsync(DeviceBuffer destination, DeviceBuffer source, long bytes)
        {
            destination.RequireCapacity(bytes, nameof(destination));
            source.RequireCapacity(bytes, nameof(source));
            CuDriver.Check(CuDriver.cuMemcpyDtoDAsync_v2(destination.Address, source.Address, (nuint)bytes, Raw), nameof(CuDriver.cuMemcpyDtoDAsync_v2));
        }

        /// <summary>Host→device on raw addresses whose bounds the caller has checked (the CUDA backend's element views).</summary>
        internal void CopyToDeviceAsync(ulong destination, IntPtr source, long bytes) =>
            CuDriver.Check(CuDriver.cuMemcpyHtoDAsync_v2(destination, source, (nuint)bytes, Raw), nameof(CuDriver.cuMemcpyHtoDAsync_v2));

        /// <summary>Device→host on raw addresses whose bounds the caller has checked.</summary>
        internal void CopyToHostAsync(IntPtr destination, ulong source, long bytes) =>
            CuDriver.Check(CuDriver.cuMemcpyDtoHAsync_v2(destination, source, (nuint)bytes, Raw), nameof(CuDriver.cuMemcpyDtoHAsync_v2));

        /// <summary>
        /// <paramref name="rows"/> rows of <paramref name="rowBytes"/> from pinned host memory to the device, each side's rows
        /// <paramref name="sourcePitch"/> and <paramref name="destinationPitch"/> bytes apart, as one transfer; bounds checked by the caller.
        /// </summary>
        internal unsafe void CopyToDeviceAsync(ulong destination, long destinationPitch, IntPtr source, long sourcePitch, long rowBytes, long rows)
        {
            var copy = new CuDriver.Memcpy2D
            {
                SourceMemoryType = CuDriver.MemoryTypeHost, SourceHost = source, SourcePitch = (nuint)sourcePitch,
                DestinationMemoryType = CuDriver.MemoryTypeDevice, DestinationDevice = destination, DestinationPitch = (nuint)destinationPitch,
                WidthInBytes = (nuint)rowBytes, Height = (nuint)rows,
            };
            CuDriver.Check(CuDriver.cuMemcpy2DAsync_v2(&copy, Raw), nameof(CuDriver.cuMemcpy2DAsync_v2));
        }

        /// <summary>The device→host counterpart of the strided copy above.</summary>
        internal unsafe void CopyToHostAsync(IntPtr destination, long destinationPitch, ulong source, long sourcePitch, long rowBytes, long rows)
        {
            var copy = new CuDriver.Memcpy2D
            {
                SourceMemoryType = CuDriver.MemoryTypeDevice, SourceDevice = source, SourcePitch = (nuint)sourcePitch,
                DestinationMemoryType = CuDriver.MemoryTypeHost, DestinationHost = destination, DestinationPitch = (nuint)destinationPitch,
                WidthInBytes = (nuint)rowBytes, Height = (nuint)rows,
            };
            CuDriver.Check(CuDriver.cuMemcpy2DAsync_v2(&copy, Raw), nameof(CuDriver.cuMemcpy2DAsync_v2));
        }

        /// <summary>Sets every byte of the buffer, e.g. to poison outputs before a kernel that must write them all.</summary>
        public void FillAsync(DeviceBuffer destination, byte value) =>
            CuDriver.Check(CuDriver.cuMemsetD8Async(destination.Address, value, (nuint)destination.Bytes, Raw), nameof(CuDriver.cuMemsetD8Async));

        public void Record(CudaEvent cudaEvent) =>
            CuDriver.Check(CuDriver.cuEventRecord(cudaEvent.Raw, Raw), nameof(CuDriver.cuEventRecord));

        /// <summary>Work queued on this stream after the call waits for the event (recorded on any stream).</summary>
        public void Wait(CudaEvent cudaEvent) =>
            CuDriver.Check(CuDriver.cuStreamWaitEvent(Raw, cudaEvent.Raw, 0), nameof(CuDriver.cuStreamWaitEvent));

        public void Synchronize() => CuDriver.Check(CuDriver.cuStreamSynchronize(Raw), nameof(CuDriver.cuStreamSynchronize));

        public void Dispose() => Handle.Dispose();
    }
}
