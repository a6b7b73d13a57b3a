using System;

namespace Kvpr.Planning
{
    /// <summary>
    /// The predicted time of one decode step and the resource that bounds it. Transfers, GPU work and
    /// write-back run on separate engines and overlap across layers, so the step takes as long as the busiest
    /// of them, or as the chain of offloaded layers each waiting for its K and V (the paper's relation).
    /// </summary>
    public sealed record StepCost(double LinkSeconds, double GpuSeconds, double WriteBackSeconds, double OffloadedLayersSeconds)
    {
        public double Seconds => Math.Max(Math.Max(LinkSeconds, GpuSeconds), Math.Max(WriteBackSeconds, OffloadedLayersSeconds));
    }
}
