using System;

namespace Kvpr.Backend
{
    /// <summary>
    /// A compute device: allocates device and copy-ready host memory, creates streams and events, copies
    /// element ranges between host and device, and exposes the decode operations.
    /// </summary>
    public interface IDevice : IDisposable
    {
        string Name { get; }

        /// <summary>Bytes of one element of device and host buffers, for the statistics of bytes moved.</summary>
        int ElementBytes { get; }

        IDeviceOps Ops { get; }

        IDeviceBuffer Allocate(long elements);

        IHostBuffer AllocateHost(long elements);

        /// <summary>A device buffer holding a weight tensor, converted once to the device's element type.</summary>
        IDeviceBuffer Upload(IWeightTensor weight);

        IStream CreateStream();

        IEvent CreateEvent();

        void CopyToDevice(IStream stream, IHostBuffer source, long sourceOffset, IDeviceBuffer destination, long destinationOffset, long elements);

        void CopyToHost(IStream stream, IDeviceBuffer source, long sourceOffset, IHostBuffer destination, long destinationOffset, long elements);

        /// <summary>Reads device elements as fp32 once the stream's work so far has finished (logits, test captures).</summary>
        void Read(IStream stream, IDeviceBuffer source, long sourceOffset, Span<float> destination);
    }
}
