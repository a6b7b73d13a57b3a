using System;
using Kvpr.Backend;

namespace Kvpr.Cpu
{
    /// <summary>fp32 memory of the CPU backend, which serves both as device memory and as host memory.</summary>
    internal sealed class CpuBuffer : IDeviceBuffer, IHostBuffer
    {
        public CpuBuffer(float[] data) => Data = data;

        public CpuBuffer(long elements) => Data = new float[checked((int)elements)];

        public float[] Data { get; }

        public long Length => Data.Length;

        public static CpuBuffer Of(IDeviceBuffer buffer) => buffer as CpuBuffer
            ?? throw new ArgumentException($"The CPU backend cannot use a {buffer.GetType().Name}; allocate buffers on the CPU device.");

        public static CpuBuffer Of(IHostBuffer buffer) => buffer as CpuBuffer
            ?? throw new ArgumentException($"The CPU backend cannot use a {buffer.GetType().Name}; allocate host buffers on the CPU device.");
    }
}
