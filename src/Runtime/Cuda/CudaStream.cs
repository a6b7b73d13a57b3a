using System;
using System.Runtime.InteropServices;
using System.Threading;
using Kvpr.Backend;
using Kvpr.Runtime.Cuda.Backend;
using Kvpr.Runtime.Cuda.Native;

namespace Kvpr.Runtime.Cuda
{
    /// <summary>
    /// An ordered queue of device work, and the CUDA backend's graph stream (<see cref="IStream"/>): copies between
    /// pinned host memory and the device run asynchronously on it. GEMMs run on it through a <see cref="CublasGemm"/>
    /// bound to it.
    /// </summary>
    public sealed class CudaStream : IStream, IDisposable
    {
        internal CudaStream(CudaStreamHandle handle)
        {
            Handle = handle;
        }

        public CudaStreamHandle Handle { get; }
        internal IntPtr Raw => Handle.DangerousGetHandle();

        /// <summary>The stream behind a backend stream; only streams the CUDA device created are.</summary>
        internal static CudaStream Of(IStream stream) => stream as CudaStream
            ?? throw new ArgumentException($"The CUDA backend cannot queue work on a {stream.GetType().Name}; create streams on the CUDA device.");

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

        /// <summary>
        /// <paramref name="rows"/> rows of <paramref name="rowBytes"/> between any two of device and pinned host memory (unified
        /// addresses: a pinned pointer is one), each side's rows its pitch apart: one transfer, however many rows. Bounds
        /// are the caller's to check (the CUDA backend's element views do).
        /// </summary>
        internal unsafe void CopyAsync(ulong destination, long destinationPitch, ulong source, long sourcePitch, long rowBytes, long rows)
        {
            if (rows == 1 || (destinationPitch == rowBytes && sourcePitch == rowBytes))
            {
                CuDriver.Check(CuDriver.cuMemcpyAsync(destination, source, (nuint)(rowBytes * rows), Raw), nameof(CuDriver.cuMemcpyAsync));
                return;
            }
            var copy = new CuDriver.Memcpy2D
            {
                SourceMemoryType = CuDriver.MemoryTypeUnified, SourceDevice = source, SourcePitch = (nuint)sourcePitch,
                DestinationMemoryType = CuDriver.MemoryTypeUnified, DestinationDevice = destination, DestinationPitch = (nuint)destinationPitch,
                WidthInBytes = (nuint)rowBytes, Height = (nuint)rows,
            };
            CuDriver.Check(CuDriver.cuMemcpy2DAsync_v2(&copy, Raw), nameof(CuDriver.cuMemcpy2DAsync_v2));
        }

        /// <summary>One contiguous block between any two of device and pinned host memory.</summary>
        internal void CopyAsync(ulong destination, ulong source, long bytes) => CopyAsync(destination, bytes, source, bytes, bytes, 1);

        /// <summary>Sets every byte of the buffer, e.g. to poison outputs before a kernel that must write them all.</summary>
        public void FillAsync(DeviceBuffer destination, byte value) =>
            CuDriver.Check(CuDriver.cuMemsetD8Async(destination.Address, value, (nuint)destination.Bytes, Raw), nameof(CuDriver.cuMemsetD8Async));

        public void Record(CudaEvent cudaEvent) =>
            CuDriver.Check(CuDriver.cuEventRecord(cudaEvent.Raw, Raw), nameof(CuDriver.cuEventRecord));

        /// <summary>Work queued on this stream after the call waits for the event (recorded on any stream).</summary>
        public void Wait(CudaEvent cudaEvent) =>
            CuDriver.Check(CuDriver.cuStreamWaitEvent(Raw, cudaEvent.Raw, 0), nameof(CuDriver.cuStreamWaitEvent));

        public void Record(IEvent completed) => Record(CudaComputeEvent.Of(completed).Event);

        public void Wait(IEvent completed) => Wait(CudaComputeEvent.Of(completed).Event);

        public void Synchronize()
        {
            CuDriver.Check(CuDriver.cuStreamSynchronize(Raw), nameof(CuDriver.cuStreamSynchronize));
            if (Interlocked.Exchange(ref _hostFailure, null) is Exception failure)
                throw new InvalidOperationException($"Host work queued on a CUDA stream failed: {failure.Message}", failure);
        }

        /// <summary>
        /// Queues <paramref name="work"/> to run on the host when the stream reaches it; the stream's later work waits
        /// until it returns (cuLaunchHostFunc). The driver runs it on a thread of its own, so it must make no CUDA call; an
        /// exception it throws cannot cross the driver, so it is kept and thrown by the next <see cref="Synchronize"/>.
        /// </summary>
        internal unsafe void LaunchHostWork(Action work)
        {
            var handle = GCHandle.Alloc(new HostWork(this, work));
            int code = CuDriver.cuLaunchHostFunc(Raw, &RunHostWork, GCHandle.ToIntPtr(handle));
            if (code != 0)
                handle.Free();
            CuDriver.Check(code, nameof(CuDriver.cuLaunchHostFunc));
        }

        [UnmanagedCallersOnly]
        private static void RunHostWork(IntPtr data)
        {
            var handle = GCHandle.FromIntPtr(data);
            var work = (HostWork)handle.Target!;
            handle.Free();
            try
            {
                work.Work();
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref work.Stream._hostFailure, e, null);
            }
        }

        private sealed record HostWork(CudaStream Stream, Action Work);

        private Exception? _hostFailure;

        public void Dispose()
        {
            Handle.Dispose();
        }
    }
}
