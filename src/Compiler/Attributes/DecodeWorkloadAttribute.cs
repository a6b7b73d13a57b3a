using System;

namespace Kvpr
{
    /// <summary>
    /// The workload a <see cref="TransformerModelAttribute"/> model is planned for at build time (see
    /// <see cref="DecodeWorkload"/>). Optional: without it, <see cref="DecodeWorkload.DefaultFor"/> applies, and
    /// properties left unset take their values from it.
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
    public sealed class DecodeWorkloadAttribute : Attribute
    {
        public DecodeWorkloadAttribute(Objective objective) => Objective = objective;

        public Objective Objective { get; }
        /// <summary>Sequences per micro-batch.</summary>
        public int Batch { get; set; }
        public int PromptLength { get; set; }
        public int MaxNewTokens { get; set; }
        /// <summary>Micro-batches sharing each layer's weights (throughput objective).</summary>
        public int MicroBatches { get; set; }
        /// <summary>GPU memory the plan may use, below the hardware profile's; unset for the whole GPU.</summary>
        public long GpuMemoryBytes { get; set; }
        /// <summary>
        /// The CPU's share of each offloaded layer's stored tokens, attended to in host memory: "off" (unset), "auto" (the
        /// planner chooses; needs a profile that measured the host) or a fraction in [0, 1] such as "0.25".
        /// </summary>
        public string? CpuAttention { get; set; }
    }
}
