using System;

namespace Kvpr.Backend
{
    /// <summary>
    /// A compute device: allocates device and copy-ready host memory, creates streams and events, and copies
    /// element ranges between host and device. How it computes a step is its backend's (the CPU's unfused
    /// <see cref="IDeviceOps"/>, CUDA's fused kernels).
    /// </summary>
    public interface IDevice : IDisposable
    {
        string Name { get; }

        /// <summary>Bytes of one element of device and host buffers, for the statistics of bytes moved.</summary>
        int ElementBytes { get; }

        /// <summary>Device memory in the device's element type (fp16 or bf16 on CUDA, fp32 on the CPU).</summary>
        IDeviceBuffer Allocate(long elements);

        /// <summary>fp32 device memory on every device: the residual stream and the logits, which are never rounded to 16 bits.</summary>
        IDeviceBuffer AllocateSingle(long elements);

        IHostBuffer AllocateHost(long elements);

        /// <summary>Writes <paramref name="values"/>, converted to the device's element type, into host memory from element <paramref name="offset"/> (host copies of weights).</summary>
        void WriteHost(IHostBuffer destination, long offset, ReadOnlySpan<float> values);

        /// <summary>A device buffer holding a weight tensor, converted once to the device's element type.</summary>
        IDeviceBuffer Upload(IWeightTensor weight);

        IStream CreateStream();

        /// <summary>An event for ordering work across streams.</summary>
        IEvent CreateEvent();

        /// <summary>An event that also notes when it fires, for <see cref="ElapsedMicroseconds"/> (device timelines).</summary>
        IEvent CreateTimingEvent();

        /// <summary>Microseconds from <paramref name="start"/> firing to <paramref name="end"/> firing: timing events, both recorded; waits for <paramref name="end"/>.</summary>
        double ElapsedMicroseconds(IEvent start, IEvent end);

        /// <summary>
        /// Everything allocated or created (buffers, host buffers, streams, events) until the returned scope is
        /// disposed is released then, after the device has finished with it: one generation's memory, released
        /// when it ends, by an exception or a cancellation as well.
        /// </summary>
        IDisposable AllocationScope();

        /// <summary>Queues the copy of <paramref name="blocks"/> from host to device on <paramref name="stream"/>.</summary>
        void CopyToDevice(IStream stream, IHostBuffer source, IDeviceBuffer destination, BlockCopy blocks);

        /// <summary>Queues the copy of <paramref name="blocks"/> from device to host on <paramref name="stream"/>.</summary>
        void CopyToHost(IStream stream, IDeviceBuffer source, IHostBuffer destination, BlockCopy blocks);

        /// <summary>Reads device elements as fp32 once the stream's work so far has finished (logits, test captures).</summary>
        void Read(IStream stream, IDeviceBuffer source, long sourceOffset, Span<float> destination);
    }
}
