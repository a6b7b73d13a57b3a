using System;

namespace Kvpr
{
    /// <summary>
    /// Where a step's time went, by kind of work: host→device and device→host copies, K/V recomputation,
    /// the rest of the model (embedding, attention, MLP, head) and picking the next tokens. Host wall-clock
    /// time per graph node; on the synchronous CPU backend that is the time the work took. An asynchronous
    /// device (CUDA) only queues work per node, so most of its step is <see cref="DeviceWait"/>.
    /// </summary>
    public sealed record PhaseTimes(TimeSpan Transfer, TimeSpan Recompute, TimeSpan Compute, TimeSpan Sampling)
    {
        public static PhaseTimes Zero { get; } = new(TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero);

        /// <summary>Time the host waited after queuing the step for the device to finish it (zero on the CPU backend).</summary>
        public TimeSpan DeviceWait { get; init; }

        /// <summary>The step's wall-clock time.</summary>
        public TimeSpan Total => Transfer + Recompute + Compute + Sampling + DeviceWait;
    }
}
