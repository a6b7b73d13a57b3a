using System;
using System.Collections.Generic;

namespace Kvpr
{
    /// <summary>
    /// One more GPU of a profile's host (<c>otherGpus</c> in the profile format): its memory, its own PCIe link each way and
    /// its GEMM rate. GPU 0 is the profile's top-level fields; device memory bandwidth and launch cost are GPU 0's for all,
    /// as one host's GPUs are one kind.
    /// </summary>
    public sealed record GpuEntry
    {
        public string Name { get; init; } = "";
        public long GpuMemoryBytes { get; init; }
        public IReadOnlyList<TransferSample> HostToDeviceSamples { get; init; } = Array.Empty<TransferSample>();
        public IReadOnlyList<TransferSample> DeviceToHostSamples { get; init; } = Array.Empty<TransferSample>();
        public IReadOnlyList<GemmSample> GemmSamples { get; init; } = Array.Empty<GemmSample>();
    }
}
