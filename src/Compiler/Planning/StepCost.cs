using System;

namespace Kvpr.Planning
{
    /// <summary>
    /// The predicted time of one decode step and the resource that bounds it. Transfers, GPU work, write-back and CPU
    /// attention run on separate engines and overlap across layers, so the step takes as long as the busiest of them
    /// plus the pipeline's fill or drain (or, in the paper's model, as the chain of offloaded layers each waiting for
    /// its own K and V). The host's memory feeds both the link's reads and the CPU's, so their bytes at its read
    /// bandwidth bound the step too.
    /// </summary>
    /// <param name="HostAttentionSeconds">The CPU lane: attention over the host tokens and its round trips; 0 without CPU attention.</param>
    /// <param name="HostMemorySeconds">The bytes the link and the CPU read from host memory at its read bandwidth; 0 without CPU attention.</param>
    public sealed record StepCost(double LinkSeconds, double GpuSeconds, double WriteBackSeconds, double OffloadedLayersSeconds,
        double HostAttentionSeconds = 0, double HostMemorySeconds = 0)
    {
        public double Seconds => Math.Max(
            Math.Max(Math.Max(LinkSeconds, GpuSeconds), Math.Max(WriteBackSeconds, OffloadedLayersSeconds)),
            Math.Max(HostAttentionSeconds, HostMemorySeconds));
    }
}
