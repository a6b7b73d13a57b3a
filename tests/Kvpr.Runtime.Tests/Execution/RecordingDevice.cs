using System;
using System.Collections.Generic;
using Kvpr.Backend;
using Kvpr.Cpu;

namespace Kvpr.Runtime.Tests.Execution;

/// <summary>A CPU device that logs, per stream, the copies, event records and event waits queued on it.</summary>
internal sealed class RecordingDevice : IDevice
{
    private readonly CpuDevice _cpu = new();
    private readonly List<RecordingStream> _streams = new();
    private int _events;

    public List<(int Stream, string What, int Event)> Log { get; } = new();

    public string Name => "recording";
    public int ElementBytes => _cpu.ElementBytes;
    public IDeviceOps Ops => _cpu.Ops;

    public IDeviceBuffer Allocate(long elements) => _cpu.Allocate(elements);
    public IDeviceBuffer AllocateSingle(long elements) => _cpu.AllocateSingle(elements);
    public IDisposable AllocationScope() => _cpu.AllocationScope();
    public IHostBuffer AllocateHost(long elements) => _cpu.AllocateHost(elements);
    public void WriteHost(IHostBuffer destination, long offset, ReadOnlySpan<float> values) => _cpu.WriteHost(destination, offset, values);
    public IDeviceBuffer Upload(IWeightTensor weight) => _cpu.Upload(weight);
    public void Read(IStream stream, IDeviceBuffer source, long sourceOffset, Span<float> destination) => _cpu.Read(stream, source, sourceOffset, destination);

    public IStream CreateStream()
    {
        var stream = new RecordingStream(this, _streams.Count);
        _streams.Add(stream);
        return stream;
    }

    public IEvent CreateEvent() => new RecordingEvent(_events++);
    public IEvent CreateTimingEvent() => throw new NotSupportedException("The recording device logs queuing order, not time.");
    public double ElapsedMicroseconds(IEvent start, IEvent end) => throw new NotSupportedException("The recording device logs queuing order, not time.");

    public void CopyToDevice(IStream stream, IHostBuffer source, IDeviceBuffer destination, BlockCopy blocks)
    {
        Log.Add((((RecordingStream)stream).Id, "to device", -1));
        _cpu.CopyToDevice(stream, source, destination, blocks);
    }

    public void CopyToHost(IStream stream, IDeviceBuffer source, IHostBuffer destination, BlockCopy blocks)
    {
        Log.Add((((RecordingStream)stream).Id, "to host", -1));
        _cpu.CopyToHost(stream, source, destination, blocks);
    }

    public void Dispose() => _cpu.Dispose();

    private sealed class RecordingStream(RecordingDevice device, int id) : IStream
    {
        public int Id { get; } = id;
        public void Record(IEvent completed) => device.Log.Add((Id, "record", ((RecordingEvent)completed).Id));
        public void Wait(IEvent completed) => device.Log.Add((Id, "wait", ((RecordingEvent)completed).Id));
        public void Synchronize() => device.Log.Add((Id, "synchronize", -1));
    }

    private sealed record RecordingEvent(int Id) : IEvent;
}
