using System.Collections.Generic;
using System.Linq;

namespace Kvpr.Planning
{
    /// <summary>
    /// A solved plan: which layers keep KV and weights on the GPU for the whole generation, and the table of
    /// per-step splits the runtime looks up. Built from plain data so generated code can rebuild it exactly.
    /// </summary>
    /// <param name="GpuBytes">GPU memory the residency occupies at the workload's longest length.</param>
    /// <param name="GpuBudgetBytes">GPU memory the plan was allowed: the profile's memory, or the workload's cap if smaller.</param>
    public sealed record DecodePlan(string ModelName, DecodeWorkload Workload, string ProfileName, Residency Residency, PlanTable Table,
        long GpuBytes, long GpuBudgetBytes)
    {
        /// <summary>Whether the plan was made with the embedded default profile (the project's H100) rather than a measured one.</summary>
        public bool UsesDefaultProfile => ProfileName == HardwareProfiles.DefaultName;

        /// <summary>Tokens one step generates: one per sequence of every micro-batch.</summary>
        public int TokensPerStep => Workload.Batch * Workload.MicroBatches;

        /// <summary>
        /// Every decode step of the workload: step i attends to s' = prompt + i stored tokens, for
        /// i = 0 … new tokens − 1.
        /// </summary>
        public IEnumerable<StepPlan> Steps =>
            Enumerable.Range(Workload.PromptLength, Workload.MaxNewTokens).Select(length => Table.Lookup(Workload.Batch, length));

        /// <summary>Predicted milliseconds of all decode steps.</summary>
        public double PredictedGenerationMs => Steps.Sum(s => s.Times.PredictedMs);

        /// <summary>Predicted milliseconds per generated token over the whole generation.</summary>
        public double PredictedMsPerToken => PredictedGenerationMs / ((double)Workload.MaxNewTokens * TokensPerStep);
    }
}
