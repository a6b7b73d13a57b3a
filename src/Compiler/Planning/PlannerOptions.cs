using System;

namespace Kvpr.Planning
{
    /// <summary>How the <see cref="DecodePlanner"/> prices and shapes a plan.</summary>
    public sealed record PlannerOptions
    {
        public CostSettings Cost { get; init; } = CostSettings.Default;

        /// <summary>A residency to plan under instead of choosing one; null lets the planner choose.</summary>
        public Residency? FixedResidency { get; init; }

        /// <summary>
        /// Keep every layer's weights on the GPU and choose only the KV residency and the split: for runtimes
        /// that do not stream weights. Ignored when <see cref="FixedResidency"/> is set.
        /// </summary>
        public bool ResidentWeights { get; init; }

        /// <summary>
        /// Whether the CPU attends to a share of the stored tokens: off (the default: on every GPU box measured so far a
        /// CPU share made decode steps slower, docs/performance.md), chosen per bucket (auto; off where the profile has not
        /// measured the host or the model has a sliding window), or a fixed fraction of s'.
        /// </summary>
        public CpuAttentionMode CpuAttention { get; init; } = CpuAttentionMode.Off;

        /// <summary>Most length buckets per planned batch: the table's resolution along the generation.</summary>
        public int MaxLengthBuckets { get; init; } = 32;

        public static PlannerOptions Default { get; } = new();

        /// <summary>The paper's setting: its per-layer cost model, weights resident, every layer's KV offloaded.</summary>
        public static PlannerOptions Paper(ModelSpec spec) => new() { Cost = CostSettings.Paper, FixedResidency = Residency.WeightsOnly(spec) };

        internal void Check()
        {
            Cost.Check();
            if (MaxLengthBuckets < 1)
                throw new ArgumentOutOfRangeException(nameof(MaxLengthBuckets), MaxLengthBuckets, "At least one length bucket is needed.");
            if (CpuAttention is null)
                throw new ArgumentNullException(nameof(CpuAttention), "A CPU attention mode is needed (CpuAttentionMode.Off to give the CPU nothing).");
        }
    }
}
