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

        /// <summary>Host→device bytes per step: the offloaded layers' activations of [0, l) and KV of [l, s'), averaged over the steps.</summary>
        /// <summary>The predicted whole generation: the prefill and every decode step.</summary>
        public double PredictedGenerationMs => PredictedPrefillMs + Predicted.Sum(s => s.StepSeconds) * 1e3;

        /// <summary>Tokens per second over the whole generation, prefill included.</summary>
        public double PredictedGenerationTokensPerSecond => (double)Case.Sequences * Case.NewTokens * 1e3 / PredictedGenerationMs;

        /// <summary>Each micro-batch's offloaded X and KV, and each streamed layer's weights once.</summary>
        public double HostToDeviceBytesPerStep => Predicted.Average(s => (double)Case.MicroBatches * OffloadedLayers *
            (Costs.ActivationBytes(s.Shape.Batch, s.Shape.RecomputeTokens) + Costs.KvBytes(s.Shape.Batch, s.Shape.TransferredTokens)))
            + (double)(Costs.Spec.Layers - Residency.WeightResidentLayers) * Costs.WeightBytesPerLayer;

        /// <summary>The plan's own transfer floor: its host→device bytes at the link's full bandwidth.</summary>
        public double TransferFloorMs => HostToDeviceBytesPerStep / Costs.HostToDevice.BytesPerSecond * 1e3;

        /// <summary>Reading every weight and every resident layer's KV once per step at the device's memory bandwidth.</summary>
        public double MemoryFloorMs => Predicted.Average(s => (double)Costs.Spec.LayerWeightElements * Costs.Spec.ElementBytes * Costs.Spec.Layers
            + (double)Costs.Spec.OuterWeightElements * Costs.Spec.ElementBytes
            + (double)Residency.KvResidentLayers * Costs.KvBytes(s.Shape.Batch * Case.MicroBatches, s.Shape.Length)) / Costs.Profile.DeviceMemoryBytesPerSecond * 1e3;

        /// <summary>The floor the mode is judged by: memory bandwidth with everything resident, the link otherwise.</summary>
        public double FloorMs => Mode == BenchMode.Resident ? MemoryFloorMs : TransferFloorMs;

        private int OffloadedLayers => Costs.Spec.Layers - Residency.KvResidentLayers;

        /// <summary>Plans <paramref name="mode"/> for <paramref name="workload"/> on <paramref name="profile"/>.</summary>
        /// <param name="cpuAttention">The CPU's share in the planned modes' splits (<c>--cpu-attention</c>); auto when null.</param>
        /// <exception cref="InvalidOperationException">The planner rejects the workload (its errors are the message).</exception>
        public static BenchPlan Create(BenchCase workload, BenchMode mode, HardwareProfile profile, CpuAttentionMode? cpuAttention = null)
        {
            var spec = workload.Spec;
            var options = PlannerOptions.Default with { CpuAttention = cpuAttention ?? CpuAttentionMode.Auto };
            var costs = new CostModel(spec, profile, options.Cost);
            var decode = workload.Workload;
            // Without a cap, (b) and (c) keep every layer's weights on the GPU and its KV on the host (the paper's setting);
            // under a cap the planner chooses what stays, and (b) runs (c)'s weight residency with every layer's KV offloaded.
            var capped = workload.GpuMemoryBytes is null || mode == BenchMode.Resident ? null
                : DecodePlanner.Plan(spec, profile, decode, options).GetPlanOrThrow();
            var residency = mode == BenchMode.Resident ? new Residency(spec.Layers, spec.Layers)
                : capped is null ? Residency.WeightsOnly(spec)
                : mode == BenchMode.TransferAll ? capped.Residency with { KvResidentLayers = 0 } : capped.Residency;
            SplitPolicy split = SplitPolicy.None;
            Func<int, StepShape> shapeAt = length => new StepShape(workload.Batch, length, 0);
            if (mode != BenchMode.TransferAll)
            {
                // (a)'s fixed residency is planned without the cap; whether it fits the cap is FitsOnDevice.
                var plan = capped ?? DecodePlanner.Plan(spec, profile, decode with { GpuMemoryBytes = null }, options with { FixedResidency = residency }).GetPlanOrThrow();
                split = SplitPolicy.FromPlan(plan);
                if (mode == BenchMode.Planned)
                    shapeAt = length => plan.Table.Lookup(workload.Batch, length).Shape;
            }
            var graph = workload.MicroBatches == 1
                ? ExecutionGraphBuilder.RowByRow(spec, residency, costs.Settings.ActivationChunks)
                : ExecutionGraphBuilder.ColumnByColumn(spec, residency, workload.MicroBatches, costs.Settings.ActivationChunks);
            var predicted = Enumerable.Range(1, workload.DecodeSteps)
                .Select(step => workload.LengthAt(step))
                .Select(length => GraphSimulator.Run(graph, shapeAt(length), costs))
                .ToArray();
            double prefillMs = costs.PrefillSeconds(workload.Batch, workload.PromptLength, residency, workload.MicroBatches) * 1e3;
            return new BenchPlan(workload, mode, costs, residency, split, predicted, prefillMs, new MemoryModel(costs, decode).Fits(residency));
        }
    }
}
