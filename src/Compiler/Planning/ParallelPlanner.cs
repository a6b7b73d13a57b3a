using System;
using System.Collections.Generic;
using System.Linq;
using Kvpr.Parallelism;

namespace Kvpr.Planning
{
    /// <summary>
    /// Chooses how N GPUs of one host decode a workload. Each layout TP × DP = N splits the batch into DP parts and the model
    /// TP ways; every GPU is planned by <see cref="DecodePlanner"/> against its own profile entry (its memory, link and
    /// GEMM rate) for its part and its rank's share, a tensor-parallel step adds its two all-reduces per layer at the
    /// profile's interconnect bandwidth, and since every link's DMA reads the same host memory, a step lasts at least the
    /// host bytes of all GPUs over the host's read bandwidth.
    /// </summary>
    public static class ParallelPlanner
    {
        private const double MillisecondsPerSecond = 1000, Giga = HardwareLimits.Giga;

        /// <param name="workload">The whole workload: <see cref="DecodeWorkload.Batch"/> counts the sequences of all GPUs together.</param>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="gpus"/> is below 1 or beyond the GPUs the profile describes.</exception>
        public static ParallelPlan Plan(ModelSpec spec, HardwareProfile profile, DecodeWorkload workload, int gpus, PlannerOptions? options = null)
        {
            if (spec is null) throw new ArgumentNullException(nameof(spec));
            if (profile is null) throw new ArgumentNullException(nameof(profile));
            if (workload is null) throw new ArgumentNullException(nameof(workload));
            if (gpus < 1 || gpus > profile.GpuCount)
                throw new ArgumentOutOfRangeException(nameof(gpus), gpus, $"{gpus} GPUs cannot be planned: {GpuLimit(profile)}");
            options ??= PlannerOptions.Default;
            // The split needs a valid model and the parts a valid batch; the GPUs' plans name what else is wrong.
            var invalid = spec.Validate().ToArray();
            if (invalid.Length == 0)
                invalid = workload.Validate(spec).ToArray();
            string? invalidReason = invalid.Length > 0 ? string.Join(" ", invalid.Select(e => e.Message)) : null;
            LayoutPrediction PredictIfValid(ParallelLayout layout) =>
                invalidReason is null ? Predict(spec, profile, workload, layout, options) : LayoutPrediction.Excluded(layout, invalidReason);

            var baseline = PredictIfValid(new ParallelLayout(1, 1));
            var layouts = gpus == 1 ? new[] { baseline } : ParallelLayout.For(gpus).Select(PredictIfValid).ToArray();
            return new ParallelPlan(spec, workload, profile.Name, gpus, baseline, layouts);
        }

        /// <summary>What <see cref="Plan"/>'s GPU count is limited by, for callers that name the count their own way (the CLI's --gpus).</summary>
        public static string GpuLimit(HardwareProfile profile) =>
            $"hardware profile '{profile.Name}' describes {profile.GpuCount} GPU{(profile.GpuCount == 1 ? "" : "s")} " +
            "(list a host's other GPUs under otherGpus, docs/hardware-profiles.md; stored example: h100-sxm-x8-assumed).";

        /// <summary>One layout over the whole generation, or why it cannot run; <paramref name="spec"/> and <paramref name="workload"/> are valid.</summary>
        private static LayoutPrediction Predict(ModelSpec spec, HardwareProfile profile, DecodeWorkload workload, ParallelLayout layout, PlannerOptions options)
        {
            if (Exclusion(spec, profile, workload, layout) is { } reason)
                return LayoutPrediction.Excluded(layout, reason);

            var rankSpec = TensorParallel.For(spec, layout.TensorParallel).RankSpec;
            var gpus = new List<GpuRun>();
            for (int gpu = 0; gpu < layout.Gpus; gpu++)
            {
                var gpuProfile = profile.ForGpu(gpu);
                var part = workload with { Batch = PartOf(workload.Batch, layout.DataParallel, gpu / layout.TensorParallel), MicroBatches = 1 };
                var result = workload.Objective == Objective.Throughput
                    ? DecodePlanner.PlanThroughput(rankSpec, gpuProfile, part, part.Batch, options)
                    : DecodePlanner.Plan(rankSpec, gpuProfile, part, options);
                if (result.Plan is not { } plan)
                    return LayoutPrediction.Excluded(layout, $"GPU {gpu}: {string.Join(" ", result.Errors.Select(e => e.Message))}");
                gpus.Add(new GpuRun(plan, new CostModel(rankSpec, gpuProfile, options.Cost), layout.TensorParallel));
            }
            // Each GPU's plan checked its own weights and store against the host's memory; together they share it.
            long hostBytes = gpus.Sum(g => g.HostMemoryBytes), hostBudget = MemoryModel.HostBudget(workload, profile);
            if (hostBytes > hostBudget)
                return LayoutPrediction.Excluded(layout, $"host memory: the {layout.Gpus} GPUs' copies of the weights and host stores need {hostBytes:N0} bytes together, " +
                    $"but the budget is {hostBudget:N0} bytes.");
            return Predict(layout, gpus, workload, profile.HostMemoryReadBytesPerSecond);
        }

        /// <summary>Why <paramref name="layout"/> cannot run the workload at all, before any GPU is planned; null when it may.</summary>
        private static string? Exclusion(ModelSpec spec, HardwareProfile profile, DecodeWorkload workload, ParallelLayout layout)
        {
            if (layout.TensorParallel > 1 && TensorParallel.Check(spec, layout.TensorParallel) is { Count: > 0 } errors)
                return $"tensor parallel over {layout.TensorParallel}: {string.Join(" ", errors.Select(e => e.Message))}";
            if (layout.TensorParallel > 1 && profile.InterconnectBytesPerSecond is null)
                return $"tensor parallel over {layout.TensorParallel}: hardware profile '{profile.Name}' has no interconnectGBps to price the all-reduces.";
            if (workload.Batch < layout.DataParallel)
                return $"data parallel over {layout.DataParallel}: batch {workload.Batch} gives some of the {layout.DataParallel} groups no sequence.";
            return null;
        }

        /// <summary>Group <paramref name="group"/>'s sequences when <paramref name="batch"/> split into <paramref name="groups"/> near-equal parts, the first ones a sequence longer (data-parallel groups, micro-batches).</summary>
        public static int PartOf(int batch, int groups, int group) => batch / groups + (group < batch % groups ? 1 : 0);

        /// <summary>A GPU's plan with the cost model that prices its steps.</summary>
        private sealed record GpuRun(DecodePlan Plan, CostModel Cost, int Ranks)
        {
            public int MicroBatches => Plan.Workload.MicroBatches;

            public StepPlan[] Steps { get; } = Plan.Steps.ToArray();

            public double StepSeconds(int step) => Cost.Step(Steps[step].Shape, Plan.Residency, MicroBatches, Ranks).Seconds;

            public double LinkBytes(int step) => Cost.HostToDeviceBytes(Steps[step].Shape, Plan.Residency, MicroBatches);

            public double HostBytes(int step) => Cost.HostReadBytes(Steps[step].Shape, Plan.Residency, MicroBatches);

            /// <summary>Host memory of this GPU's engine: its copy of its weights and its host store.</summary>
            public long HostMemoryBytes => new MemoryModel(Cost, Plan.Workload, Plan.Table.UsesHostAttention).HostBytesFor(Plan.Residency, Plan.Table.ReadsStoredKv);

            public double PrefillSeconds => Cost.PrefillSeconds(Plan.Workload.Batch, Plan.Workload.PromptLength, Plan.Residency, MicroBatches, Ranks);
        }

        /// <summary>
        /// Every decode step at the slowest GPU's time, or at the host memory floor (all GPUs' host reads at its bandwidth)
        /// when that is higher; the generation is the slowest prefill and every step but the last (the prefill makes the
        /// first token).
        /// </summary>
        private static LayoutPrediction Predict(ParallelLayout layout, IReadOnlyList<GpuRun> gpus, DecodeWorkload workload, double? hostReadBytesPerSecond)
        {
            int steps = workload.MaxNewTokens, hostBound = 0;
            double seconds = 0, decodeSeconds = 0, hostBytes = 0;
            var link = new double[gpus.Count];
            for (int step = 0; step < steps; step++)
            {
                double slowest = gpus.Max(g => g.StepSeconds(step));
                double reads = gpus.Sum(g => g.HostBytes(step));
                double floor = hostReadBytesPerSecond is double read ? reads / read : 0;
                if (floor > slowest)
                    hostBound++;
                double time = Math.Max(slowest, floor);
                seconds += time;
                if (step < steps - 1)
                    decodeSeconds += time;
                hostBytes += reads;
                for (int g = 0; g < gpus.Count; g++)
                    link[g] += gpus[g].LinkBytes(step);
            }
            double generation = gpus.Max(g => g.PrefillSeconds) + decodeSeconds;
            return new LayoutPrediction(layout, gpus.Select(g => g.Plan).ToArray(), seconds / steps * MillisecondsPerSecond,
                (double)workload.Batch * steps / generation, link.Max() / seconds / Giga, link.Sum() / seconds / Giga, hostBytes / seconds / Giga, hostBound);
        }
    }
}
