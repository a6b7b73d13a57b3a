using System;
using System.Collections.Generic;
using System.Linq;
using Kvpr.Graphs;
using Kvpr.Planning;

namespace Kvpr.Cli.Bench
{
    /// <summary>
    /// What a mode runs for a workload (residency and per-step split) and what the cost model expects of it:
    /// each decode step simulated on the row-by-row graph the engine runs, and the floors the result is judged by.
    /// </summary>
    /// <param name="Split">The split the engine is given: l = 0 for (b), a plan solved under the mode's residency for (a) and (c).</param>
    /// <param name="Predicted">Every decode step as the simulator plays it, in order.</param>
    /// <param name="FitsOnDevice">Whether the residency fits the profile's GPU memory (mode (a) runs only where it does).</param>
    internal sealed record BenchPlan(BenchCase Case, BenchMode Mode, CostModel Costs, Residency Residency, SplitPolicy Split,
        IReadOnlyList<SimulatedStep> Predicted, double PredictedPrefillMs, bool FitsOnDevice)
    {
        public double PredictedMsPerStep => Predicted.Average(s => s.StepSeconds) * 1e3;

        /// <summary>Recomputed tokens l per offloaded layer, averaged over the decode steps.</summary>
        public double MeanRecomputeTokens => Predicted.Average(s => s.Shape.RecomputeTokens);

        /// <summary>The predicted whole generation: the prefill and every decode step.</summary>
        public double PredictedGenerationMs => PredictedPrefillMs + Predicted.Sum(s => s.StepSeconds) * 1e3;

        /// <summary>Tokens per second over the whole generation, prefill included.</summary>
        public double PredictedGenerationTokensPerSecond => (double)Case.Sequences * Case.NewTokens * 1e3 / PredictedGenerationMs;

        /// <summary>
        /// Host→device bytes per step as the cost model counts them (each micro-batch's offloaded X of [0, l) and KV of
        /// [l, s'), each streamed layer's weights once), averaged over the steps.
        /// </summary>
        public double HostToDeviceBytesPerStep => Predicted.Average(s => Costs.HostToDeviceBytes(s.Shape, Residency, Case.MicroBatches));

        /// <summary>The plan's own transfer floor: its host→device bytes at the link's full bandwidth.</summary>
        public double TransferFloorMs => HostToDeviceBytesPerStep / Costs.HostToDevice.BytesPerSecond * 1e3;

        /// <summary>Reading every weight and every resident layer's KV once per step at the device's memory bandwidth.</summary>
        public double MemoryFloorMs => Predicted.Average(s => (double)Costs.Spec.LayerWeightElements * Costs.Spec.ElementBytes * Costs.Spec.Layers
            + (double)Costs.Spec.OuterWeightElements * Costs.Spec.ElementBytes
            + (double)Residency.KvResidentLayers * Costs.KvBytes(s.Shape.Batch * Case.MicroBatches, s.Shape.Length)) / Costs.Profile.DeviceMemoryBytesPerSecond * 1e3;

        /// <summary>Tokens the CPU attends to per offloaded layer, averaged over the decode steps.</summary>
        public double MeanHostTokens => Predicted.Average(s => s.Shape.HostTokens);

        /// <summary>
        /// The host memory's floor: what the link's DMA reads from the host store and weights and what CPU attention reads
        /// in place, at the profile's host read bandwidth (0 where the profile has not measured it).
        /// </summary>
        public double HostMemoryFloorMs => Costs.Profile.HostMemoryReadBytesPerSecond is double read
            ? Predicted.Average(s => Costs.HostReadBytes(s.Shape, Residency, Case.MicroBatches)) / read * 1e3
            : 0;

        /// <summary>
        /// The floor the mode is judged by: memory bandwidth with everything resident, the link otherwise, and with CPU
        /// attention the busier of the link and the host's memory (the three-resource floor).
        /// </summary>
        public double FloorMs => Mode switch
        {
            BenchMode.Resident => MemoryFloorMs,
            BenchMode.CpuAttention => Math.Max(TransferFloorMs, HostMemoryFloorMs),
            _ => TransferFloorMs,
        };

        /// <summary>Plans <paramref name="mode"/> for <paramref name="workload"/> on <paramref name="profile"/>.</summary>
        /// <param name="cpuAttention">The CPU's share in mode (e)'s split (<c>--cpu-attention</c>); auto when null. The other modes plan without CPU attention.</param>
        /// <exception cref="InvalidOperationException">The planner rejects the workload (its errors are the message).</exception>
        /// <exception cref="UsageException">The mode's weight copy and host store do not fit the host memory budget.</exception>
        public static BenchPlan Create(BenchCase workload, BenchMode mode, HardwareProfile profile, CpuAttentionMode? cpuAttention = null)
        {
            var spec = workload.Spec;
            var options = PlannerOptions.Default with { CpuAttention = mode == BenchMode.CpuAttention ? cpuAttention ?? CpuAttentionMode.Auto : CpuAttentionMode.Off };
            var costs = new CostModel(spec, profile, options.Cost);
            var decode = workload.Workload;
            // Without a cap, (b), (c) and (e) keep every layer's weights on the GPU and its KV on the host (the paper's setting);
            // under a cap the planner chooses what stays, and (b) runs (c)'s weight residency with every layer's KV offloaded.
            var capped = workload.GpuMemoryBytes is null || mode == BenchMode.Resident ? null
                : DecodePlanner.Plan(spec, profile, decode, options).GetPlanOrThrow();
            var residency = mode == BenchMode.Resident ? new Residency(spec.Layers, spec.Layers)
                : capped is null ? Residency.WeightsOnly(spec)
                : mode == BenchMode.TransferAll ? capped.Residency with { KvResidentLayers = 0 } : capped.Residency;
            SplitPolicy split = SplitPolicy.None;
            Func<int, StepShape> shapeAt = length => new StepShape(workload.Batch, length, 0);
            bool keepsKv = true, hostAttention = false;
            if (mode != BenchMode.TransferAll)
            {
                // (a)'s fixed residency is planned without the cap; whether it fits the cap is FitsOnDevice.
                var plan = capped ?? DecodePlanner.Plan(spec, profile, decode with { GpuMemoryBytes = null }, options with { FixedResidency = residency }).GetPlanOrThrow();
                split = SplitPolicy.FromPlan(plan);
                keepsKv = plan.Table.ReadsStoredKv;
                hostAttention = plan.Table.UsesHostAttention;
                if (mode is BenchMode.Planned or BenchMode.CpuAttention)
                    shapeAt = length => plan.Table.Lookup(workload.Batch, length).Shape;
            }
            var memory = new MemoryModel(costs, decode, hostAttention);
            // The planner checks the plans it makes; (b) without a GPU cap has none, so every mode is checked here.
            long hostBytes = memory.HostBytesFor(residency, keepsKv);
            if (hostBytes > memory.HostBudgetBytes)
                throw new UsageException($"{workload}: mode ({mode.Letter()}) needs {hostBytes:N0} bytes of host memory for the weights' host copy and the host store, " +
                    $"but the budget (--host-memory, or the {profile.Name} profile's) is {memory.HostBudgetBytes:N0} bytes: {hostBytes - memory.HostBudgetBytes:N0} bytes are missing.");
            var graph = ExecutionGraphBuilder.Build(workload.MicroBatches == 1 ? ScheduleKind.RowByRow : ScheduleKind.ColumnByColumn,
                spec, residency, workload.MicroBatches, costs.Settings.ActivationChunks, hostAttention);
            var predicted = Enumerable.Range(1, workload.DecodeSteps)
                .Select(step => workload.LengthAt(step))
                .Select(length => GraphSimulator.Run(graph, shapeAt(length), costs))
                .ToArray();
            double prefillMs = costs.PrefillSeconds(workload.Batch, workload.PromptLength, residency, workload.MicroBatches) * 1e3;
            return new BenchPlan(workload, mode, costs, residency, split, predicted, prefillMs, memory.Fits(residency));
        }
    }
}
