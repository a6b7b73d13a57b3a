using System;
using Kvpr.Backend;

namespace Kvpr.Cpu
{
    /// <summary>
    /// The reference backend: fp32 arrays, ops run synchronously on the calling thread (GEMM and attention
    /// spread over cores), host↔device copies are array copies.
    /// </summary>
    public sealed class CpuDevice : IDevice
    {
        public string Name => "cpu";

        public int ElementBytes => sizeof(float);

        public IDeviceOps Ops { get; } = new CpuOps();

        public IDeviceBuffer Allocate(long elements) => new CpuBuffer(elements);

        public IHostBuffer AllocateHost(long elements) => new CpuBuffer(elements);

        public IDeviceBuffer Upload(IWeightTensor weight)
        {
            long elements = 1;
            foreach (long d in weight.Shape)
                elements *= d;
            var buffer = new CpuBuffer(elements);
            weight.CopyToSingle(buffer.Data);
            return buffer;
        }

        public IStream CreateStream() => new CpuStream();

        public IEvent CreateEvent() => new CpuEvent();

        public void CopyToDevice(IStream stream, IHostBuffer source, long sourceOffset, IDeviceBuffer destination, long destinationOffset, long elements) =>
            Array.Copy(CpuBuffer.Of(source).Data, sourceOffset, CpuBuffer.Of(destination).Data, destinationOffset, elements);

        public void CopyToHost(IStream stream, IDeviceBuffer source, long sourceOffset, IHostBuffer destination, long destinationOffset, long elements) =>
            Array.Copy(CpuBuffer.Of(source).Data, sourceOffset, CpuBuffer.Of(destination).Data, destinationOffset, elements);

        public void Read(IStream stream, IDeviceBuffer source, long sourceOffset, Span<float> destination) =>
            CpuBuffer.Of(source).Data.AsSpan(checked((int)sourceOffset), destination.Length).CopyTo(destination);

        public void Dispose()
        {
        }
    }
}
