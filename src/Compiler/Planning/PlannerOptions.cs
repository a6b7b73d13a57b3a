using System;

namespace Kvpr.Planning
{
    /// <summary>How the <see cref="DecodePlanner"/> prices and shapes a plan.</summary>
    public sealed record PlannerOptions
    {
        public CostSettings Cost { get; init; } = CostSettings.Default;

        /// <summary>A residency to plan under instead of choosing one; null lets the planner choose.</summary>
        public Residency? FixedResidency { get; init; }

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
        }
    }
}
