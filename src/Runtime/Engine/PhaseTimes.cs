using System;

namespace Kvpr
{
    /// <summary>
    /// Where a step's time went, by kind of work: host→device and device→host copies, K/V recomputation,
    /// the rest of the model (embedding, attention, MLP, head) and picking the next tokens. Host wall-clock
    /// time per graph node; on the synchronous CPU backend that is the time the work took.
    /// </summary>
    public sealed record PhaseTimes(TimeSpan Transfer, TimeSpan Recompute, TimeSpan Compute, TimeSpan Sampling)
    {
        public static PhaseTimes Zero { get; } = new(TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero);

        public TimeSpan Total => Transfer + Recompute + Compute + Sampling;
    }
}
