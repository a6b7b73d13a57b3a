using System.Collections.Generic;
using System.Linq;

namespace Kvpr.Planning
{
    /// <summary>
    /// The <see cref="ParallelPlanner"/>'s answer for N GPUs: every layout it weighed (excluded ones with their reason), the
    /// best for the workload's objective, and the one-GPU plan it is compared with.
    /// </summary>
    /// <param name="Baseline">The whole workload on GPU 0 alone.</param>
    public sealed record ParallelPlan(ModelSpec Model, DecodeWorkload Workload, string ProfileName, int Gpus, LayoutPrediction Baseline,
        IReadOnlyList<LayoutPrediction> Layouts)
    {
        /// <summary>
        /// The layout with the shortest step (latency) or the most tokens per second (throughput); null when none can run.
        /// </summary>
        public LayoutPrediction? Best
        {
            get
            {
                var runnable = Layouts.Where(l => !l.IsExcluded).ToArray();
                if (runnable.Length == 0)
                    return null;
                return Workload.Objective == Objective.Latency
                    ? runnable.Aggregate((best, l) => l.StepMs < best.StepMs ? l : best)
                    : runnable.Aggregate((best, l) => l.TokensPerSecond > best.TokensPerSecond ? l : best);
            }
        }

        /// <summary>The best layout over one GPU in the objective's measure: step time for latency, tokens per second for throughput.</summary>
        public double SpeedUp(LayoutPrediction layout) =>
            Baseline.IsExcluded || layout.IsExcluded ? 0
            : Workload.Objective == Objective.Latency ? Baseline.StepMs / layout.StepMs
            : layout.TokensPerSecond / Baseline.TokensPerSecond;
    }
}
