using System.Collections.Generic;

namespace Kvpr.Planning
{
    /// <summary>
    /// What the <see cref="ParallelPlanner"/> predicts for one layout over a whole generation, or why the layout cannot
    /// run (<see cref="Exclusion"/>; the figures are then 0). Rates are bytes over the decode steps' summed time.
    /// </summary>
    /// <param name="Plans">Each GPU's plan, GPU 0 first: a tensor-parallel rank's for its share of the model.</param>
    /// <param name="StepMs">Mean decode step over the generation: each step the slowest GPU's, or the host memory floor when higher.</param>
    /// <param name="TokensPerSecond">Tokens of the whole batch over the generation, prefill included.</param>
    /// <param name="LinkGBpsPerGpu">The busiest GPU's host→device bytes per second.</param>
    /// <param name="AggregateLinkGBps">Every GPU's host→device bytes per second together.</param>
    /// <param name="HostMemoryGBps">Host memory reads per second: the links' and CPU attention's.</param>
    /// <param name="HostBoundSteps">Decode steps whose host memory floor exceeds the slowest GPU's step.</param>
    public sealed record LayoutPrediction(ParallelLayout Layout, IReadOnlyList<DecodePlan> Plans, double StepMs, double TokensPerSecond,
        double LinkGBpsPerGpu, double AggregateLinkGBps, double HostMemoryGBps, int HostBoundSteps, string? Exclusion = null)
    {
        public bool IsExcluded => Exclusion is not null;

        public static LayoutPrediction Excluded(ParallelLayout layout, string reason) =>
            new(layout, System.Array.Empty<DecodePlan>(), 0, 0, 0, 0, 0, 0, reason);
    }
}
