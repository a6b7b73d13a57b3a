using System;
using System.Diagnostics;
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

        /// <summary>The unfused decode operations this backend computes with.</summary>
        public IDeviceOps Ops { get; } = new CpuOps();

        public IDeviceBuffer Allocate(long elements) => new CpuBuffer(elements);

        public IDeviceBuffer AllocateSingle(long elements) => new CpuBuffer(elements);

        /// <summary>Arrays are the garbage collector's: nothing to release.</summary>
        public IDisposable AllocationScope() => NoScope.Instance;

        public IHostBuffer AllocateHost(long elements) => new CpuBuffer(elements);

        public void WriteHost(IHostBuffer destination, long offset, ReadOnlySpan<float> values) =>
            values.CopyTo(CpuBuffer.Of(destination).Data.AsSpan(checked((int)offset), values.Length));

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

        public IEvent CreateTimingEvent() => new CpuEvent();

        public double ElapsedMicroseconds(IEvent start, IEvent end) =>
            Stopwatch.GetElapsedTime(CpuEvent.Of(start).FiredAt, CpuEvent.Of(end).FiredAt).TotalMicroseconds;

        public void CopyToDevice(IStream stream, IHostBuffer source, IDeviceBuffer destination, BlockCopy blocks) =>
            Copy(CpuBuffer.Of(source).Data, CpuBuffer.Of(destination).Data, blocks);

        public void CopyToHost(IStream stream, IDeviceBuffer source, IHostBuffer destination, BlockCopy blocks) =>
            Copy(CpuBuffer.Of(source).Data, CpuBuffer.Of(destination).Data, blocks);

        public void Read(IStream stream, IDeviceBuffer source, long sourceOffset, Span<float> destination) =>
            CpuBuffer.Of(source).Data.AsSpan(checked((int)sourceOffset), destination.Length).CopyTo(destination);

        public void Dispose()
        {
        }

        private static void Copy(float[] source, float[] destination, BlockCopy blocks)
        {
            blocks.Validate();
            for (int i = 0; i < blocks.Blocks; i++)
                Array.Copy(source, blocks.SourceOffset + i * blocks.SourceStride, destination, blocks.DestinationOffset + i * blocks.DestinationStride, blocks.Elements);
        }

        private sealed class NoScope : IDisposable
        {
            public static readonly NoScope Instance = new();

            public void Dispose()
            {
            }
        }
    }
}
