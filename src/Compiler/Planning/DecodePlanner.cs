using System;
using System.Collections.Generic;
using System.Linq;

namespace Kvpr.Planning
{
    /// <summary>
    /// Makes a <see cref="DecodePlan"/> for a model, a machine and a workload: the residency once, at the
    /// longest length and under the GPU memory budget, then the split per bucket of (batch, stored length).
    /// </summary>
    public static class DecodePlanner
    {
        private const double MillisecondsPerSecond = 1000;

        public static PlanResult Plan(ModelSpec spec, HardwareProfile profile, DecodeWorkload workload, PlannerOptions? options = null)
        {
            if (spec is null) throw new ArgumentNullException(nameof(spec));
            if (profile is null) throw new ArgumentNullException(nameof(profile));
            if (workload is null) throw new ArgumentNullException(nameof(workload));
            options ??= PlannerOptions.Default;
            options.Check();

            // Nothing reaches the cost model or the linear programs unless every value is in range.
            var errors = profile.Validate().Concat(spec.Validate()).ToArray();
            if (errors.Length == 0)
                errors = workload.Validate(spec).ToArray();
            if (errors.Length == 0 && CpuAttentionError(spec, profile, options.CpuAttention) is { } cpuError)
                errors = new[] { cpuError };
            if (errors.Length > 0)
                return PlanResult.Failure(errors);

            var cost = new CostModel(spec, profile, options.Cost);
            // The residency reserves room for the CPU's partials wherever the CPU may get tokens; the plan then counts what its steps use.
            var residencyError = ChooseResidency(cost, new MemoryModel(cost, workload, MayUseCpu(spec, profile, options)), workload, options, out var residency);
            if (residencyError is not null)
                return PlanResult.Failure(new[] { residencyError });

            var table = new PlanTable(BatchBuckets(workload.Batch).SelectMany(batch => LengthBuckets(workload, options.MaxLengthBuckets)
                .Select(bucket => SolveBucket(cost, residency, batch, bucket.From, bucket.To, workload.MicroBatches, options.CpuAttention))));
            var memory = new MemoryModel(cost, workload, table.UsesHostAttention);
            long hostBytes = memory.HostBytesFor(residency, keepsKv: table.ReadsStoredKv);
            if (hostBytes > memory.HostBudgetBytes)
                return PlanResult.Failure(new[]
                {
                    new SpecError(ErrorCodes.WorkloadDoesNotFit, nameof(DecodeWorkload.HostMemoryBytes),
                        $"The weights and host store of {spec.Name} for {DescribeBatch(workload)} at length {workload.MaxLength} need {hostBytes:N0} bytes of host memory, " +
                        $"but the budget is {memory.HostBudgetBytes:N0} bytes: {hostBytes - memory.HostBudgetBytes:N0} bytes are missing."),
                });

            return PlanResult.Success(new DecodePlan(spec.Name, workload, profile.Name, residency, table, memory.BytesFor(residency), memory.BudgetBytes));
        }

        /// <summary>
        /// The throughput objective's choice of micro-batches: <paramref name="sequences"/> split into every number of
        /// equal micro-batches (a divisor, so none is short), each planned as <see cref="Plan"/> does under the workload's
        /// budget, and the plan whose whole generation — prefill included — makes tokens fastest wins. Fails with the
        /// errors of the smallest micro-batches when none fits.
        /// </summary>
        public static PlanResult PlanThroughput(ModelSpec spec, HardwareProfile profile, DecodeWorkload workload, int sequences, PlannerOptions? options = null)
        {
            if (sequences < 1)
                throw new ArgumentOutOfRangeException(nameof(sequences), sequences, "At least one sequence is needed.");
            PlanResult? best = null, smallest = null;
            double bestSeconds = double.PositiveInfinity;
            for (int microBatches = 1; microBatches <= sequences; microBatches++)
            {
                if (sequences % microBatches != 0)
                    continue;
                var result = Plan(spec, profile, workload with { Objective = Objective.Throughput, Batch = sequences / microBatches, MicroBatches = microBatches }, options);
                smallest = result;
                if (result.Plan is not DecodePlan plan)
                    continue;
                double seconds = PredictedGenerationSeconds(spec, profile, plan, options);
                if (seconds < bestSeconds)
                    (best, bestSeconds) = (result, seconds);
            }
            return best ?? smallest!;
        }

        /// <summary>
        /// The whole generation as an engine runs it: the prefill (which makes the first token) and the decode steps of
        /// the other tokens, priced by the cost model at the plan's residency and splits.
        /// </summary>
        public static double PredictedGenerationSeconds(ModelSpec spec, HardwareProfile profile, DecodePlan plan, PlannerOptions? options = null)
        {
            var cost = new CostModel(spec, profile, (options ?? PlannerOptions.Default).Cost);
            var workload = plan.Workload;
            return cost.PrefillSeconds(workload.Batch, workload.PromptLength, plan.Residency, workload.MicroBatches)
                + plan.Steps.Take(workload.MaxNewTokens - 1).Sum(step => step.Times.PredictedMs) / MillisecondsPerSecond;
        }

        /// <summary>
        /// The residency program (at the workload's longest length, under its memory budget) of the case the
        /// plan's residency belongs to (all KV resident or not, all weights resident or not), with the recompute
        /// GEMM linearised at the plan's split there: what <c>kvpr plan --lp</c> exports.
        /// </summary>
        public static PlanningProgram ResidencyProgram(ModelSpec spec, HardwareProfile profile, DecodePlan plan, PlannerOptions? options = null)
        {
            options ??= PlannerOptions.Default;
            var cost = new CostModel(spec, profile, options.Cost);
            var workload = plan.Workload;
            int recompute = plan.Table.Lookup(workload.Batch, workload.MaxLength).RecomputeTokens;
            return PlanningProgram.ForResidency(cost, new MemoryModel(cost, workload, MayUseCpu(spec, profile, options)), workload,
                plan.Residency.KvResidentLayers >= spec.Layers, plan.Residency.WeightResidentLayers >= spec.Layers,
                PlanningProgram.RecomputeSecondsPerToken(cost, workload.Batch, recompute), options.CpuAttention);
        }

        private static bool MayUseCpu(ModelSpec spec, HardwareProfile profile, PlannerOptions options) =>
            options.CpuAttention.MayUseCpu && CpuAttentionMode.Unavailability(spec, profile) is null;

        /// <summary>A fixed CPU share that the profile or the model cannot run; an automatic one is simply off there.</summary>
        private static SpecError? CpuAttentionError(ModelSpec spec, HardwareProfile profile, CpuAttentionMode mode) =>
            mode.Kind == CpuAttentionKind.Fraction && mode.MayUseCpu && CpuAttentionMode.Unavailability(spec, profile) is { } reason
                ? new SpecError(ErrorCodes.InvalidValue, nameof(PlannerOptions.CpuAttention), $"CPU attention of {mode} of the stored tokens is not possible: {reason}.")
                : null;

        private static SpecError? ChooseResidency(CostModel cost, MemoryModel memory, DecodeWorkload workload, PlannerOptions options, out Residency residency)
        {
            var spec = cost.Spec;
            var smallest = options.FixedResidency ?? new Residency(0, options.ResidentWeights ? spec.Layers : 0);
            residency = smallest;
            if (smallest.KvResidentLayers < 0 || smallest.KvResidentLayers > spec.Layers || smallest.WeightResidentLayers < 0 || smallest.WeightResidentLayers > spec.Layers)
                return new SpecError(ErrorCodes.InvalidValue, nameof(PlannerOptions.FixedResidency),
                    $"The fixed residency {smallest} must keep between 0 and {spec.Layers} layers resident.");
            long needed = memory.BytesFor(smallest);
            if (needed > memory.BudgetBytes)
            {
                string what = options.FixedResidency is not null ? $"with the fixed residency {smallest}"
                    : options.ResidentWeights ? "with every layer's weights resident and its KV offloaded"
                    : "even with every layer's weights streamed and KV offloaded";
                return new SpecError(ErrorCodes.WorkloadDoesNotFit, nameof(DecodeWorkload.GpuMemoryBytes),
                    $"{spec.Name} with {DescribeBatch(workload)} at length {workload.MaxLength} needs {needed:N0} bytes of GPU memory {what}, " +
                    $"but the budget is {memory.BudgetBytes:N0} bytes: {needed - memory.BudgetBytes:N0} bytes are missing.");
            }
            if (options.FixedResidency is null)
                residency = ResidencySolver.Solve(cost, memory, workload, options.ResidentWeights, options.CpuAttention) ?? smallest;
            return null;
        }

        /// <summary>
        /// The split at the bucket's middle length, stored as fractions of it; a fixed CPU share is stored as given, so every
        /// length gets ⌊share · s'⌋ host tokens.
        /// </summary>
        private static PlanRow SolveBucket(CostModel cost, Residency residency, int batch, int from, int to, int microBatches, CpuAttentionMode cpuAttention)
        {
            int middle = from + (to - from) / 2;
            var shape = SplitSolver.Solve(cost, residency, batch, middle, microBatches, cpuAttention).Shape;
            double fraction = middle > 0 ? (double)shape.RecomputeTokens / middle : 0;
            bool fixedShare = cpuAttention.Kind == CpuAttentionKind.Fraction && residency.KvResidentLayers < cost.Spec.Layers;
            double hostFraction = fixedShare ? cpuAttention.Fraction : middle > 0 ? (double)shape.HostTokens / middle : 0;
            return new PlanRow(batch, from, to, fraction, Times(cost, residency, batch, from, fraction, hostFraction, microBatches),
                Times(cost, residency, batch, to, fraction, hostFraction, microBatches), hostFraction);
        }

        /// <summary>The cost model's prediction at the split the table will give for <paramref name="length"/>, and both floors.</summary>
        private static StepTimes Times(CostModel cost, Residency residency, int batch, int length, double fraction, double hostFraction, int microBatches)
        {
            var (recompute, host) = PlanRow.TokensAt(fraction, hostFraction, length);
            var step = cost.Step(new StepShape(batch, length, recompute, host), residency, microBatches);
            return new StepTimes(step.Seconds * MillisecondsPerSecond,
                cost.FloorAllKvSeconds(batch, length, microBatches) * MillisecondsPerSecond,
                cost.FloorAllRecomputeSeconds(batch, length, microBatches) * MillisecondsPerSecond);
        }

        /// <summary>"batch 32", or "4 micro-batches of 32" when several share the weights.</summary>
        public static string DescribeBatch(DecodeWorkload workload) =>
            workload.MicroBatches > 1 ? $"{workload.MicroBatches} micro-batches of {workload.Batch}" : $"batch {workload.Batch}";

        /// <summary>Powers of two below the workload's batch, and the batch itself: smaller batches run when sequences finish early.</summary>
        private static IEnumerable<int> BatchBuckets(int batch)
        {
            for (int b = 1; b < batch; b *= 2)
                yield return b;
            yield return batch;
        }

        /// <summary>The stored lengths of the decode steps, prompt … prompt + new tokens − 1, cut into equal buckets.</summary>
        private static IEnumerable<(int From, int To)> LengthBuckets(DecodeWorkload workload, int maxBuckets)
        {
            int first = workload.PromptLength, last = workload.PromptLength + workload.MaxNewTokens - 1;
            int width = (workload.MaxNewTokens + maxBuckets - 1) / maxBuckets;
            for (int from = first; from <= last; from += width)
                yield return (from, Math.Min(last, from + width - 1));
        }
    }
}
