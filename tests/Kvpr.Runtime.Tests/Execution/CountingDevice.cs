using System;
using Kvpr.Backend;
using Kvpr.Cpu;

namespace Kvpr.Runtime.Tests.Execution;

/// <summary>
/// The CPU backend counting the device bytes it hands out as a GPU would hold them: buffers and weights in the
/// model's 16-bit type, fp32 buffers at 4 bytes. Host memory is not counted. It also notes the block a generation
/// reserves (<see cref="IDevice.Reserve"/>) and what the allocations after it would carve from the block, sized as the
/// CPU allocates them, and counts the reservations and the elements copied from host to device.
/// </summary>
internal sealed class CountingDevice(int elementBytes) : IDevice
{
    private readonly CpuDevice _cpu = new();

    public long DeviceBytes { get; private set; }

    /// <summary>The bytes of the last reservation.</summary>
    public long ReservedBytes { get; private set; }

    /// <summary>What the allocations since the last reservation take of a block, alignment included.</summary>
    public long CarvedBytes { get; private set; }

    /// <summary>Blocks reserved so far: one per generation that allocated its buffers.</summary>
    public int Reservations { get; private set; }

    /// <summary>Elements copied from host to device so far: weights uploaded into resident layers and slots, and what steps load.</summary>
    public long HostToDeviceElements { get; private set; }

    public string Name => "counting";
    public int ElementBytes => _cpu.ElementBytes;
    public IDeviceOps Ops => _cpu.Ops;

    public void Reserve(long bytes)
    {
        ReservedBytes = bytes;
        CarvedBytes = 0;
        Reservations++;
    }

    public IDeviceBuffer Allocate(long elements)
    {
        DeviceBytes += elements * elementBytes;
        CarvedBytes += DeviceArena.BytesFor([elements * ElementBytes]);
        return _cpu.Allocate(elements);
    }

    public IDeviceBuffer AllocateSingle(long elements)
    {
        DeviceBytes += elements * sizeof(float);
        CarvedBytes += DeviceArena.BytesFor([elements * sizeof(float)]);
        return _cpu.AllocateSingle(elements);
    }

    public IDeviceBuffer Upload(IWeightTensor weight)
    {
        var buffer = _cpu.Upload(weight);
        DeviceBytes += buffer.Length * elementBytes;
        return buffer;
    }

    public IDisposable AllocationScope() => _cpu.AllocationScope();
    public IHostBuffer AllocateHost(long elements) => _cpu.AllocateHost(elements);
    public void WriteHost(IHostBuffer destination, long offset, ReadOnlySpan<float> values) => _cpu.WriteHost(destination, offset, values);
    public IStream CreateStream() => _cpu.CreateStream();
    public IEvent CreateEvent() => _cpu.CreateEvent();
    public IEvent CreateTimingEvent() => _cpu.CreateTimingEvent();
    public double ElapsedMicroseconds(IEvent start, IEvent end) => _cpu.ElapsedMicroseconds(start, end);
    public void CopyToDevice(IStream stream, IHostBuffer source, IDeviceBuffer destination, BlockCopy blocks)
    {
        HostToDeviceElements += blocks.TotalElements;
        _cpu.CopyToDevice(stream, source, destination, blocks);
    }

    public void CopyToHost(IStream stream, IDeviceBuffer source, IHostBuffer destination, BlockCopy blocks) => _cpu.CopyToHost(stream, source, destination, blocks);
    public void Read(IStream stream, IDeviceBuffer source, long sourceOffset, Span<float> destination) => _cpu.Read(stream, source, sourceOffset, destination);
    public void Dispose() => _cpu.Dispose();
}
