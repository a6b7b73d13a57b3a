using System;
using Kvpr.Graphs;
using Kvpr.Planning;

namespace Kvpr
{
    /// <summary>Engines from a compiled <see cref="EngineBlueprint"/>: what a [TransformerModel] class's <c>CreateEngine</c> calls.</summary>
    public static class EngineBlueprintExtensions
    {
        /// <summary>Options that follow the blueprint's plan: its split per step, and the schedule, micro-batches and chunks it was priced with.</summary>
        public static EngineOptions PlannedOptions(this EngineBlueprint blueprint) => new()
        {
            Schedule = blueprint.Workload.Objective == Objective.Throughput ? ScheduleKind.ColumnByColumn : ScheduleKind.RowByRow,
            MicroBatches = blueprint.Workload.MicroBatches,
            ActivationChunks = blueprint.RowByRowGraph.ActivationChunks,
            Split = SplitPolicy.FromPlan(blueprint.Plan),
        };

        /// <summary>An engine running <paramref name="weights"/>, with <see cref="PlannedOptions"/> unless <paramref name="options"/> are given.</summary>
        /// <exception cref="ArgumentException">The weights are for another model than the blueprint's.</exception>
        public static Engine CreateEngine(this EngineBlueprint blueprint, ModelWeights weights, EngineOptions? options = null)
        {
            if (weights is null)
                throw new ArgumentNullException(nameof(weights));
            if (weights.Spec with { Name = blueprint.Spec.Name } != blueprint.Spec)
                throw new ArgumentException($"The weights are for {weights.Spec}, but the blueprint was compiled for {blueprint.Spec}.", nameof(weights));
            // Same dimensions under another name (a checkpoint's spec is named after its folder): the plan's model.
            weights = weights.Named(blueprint.Spec.Name);
            return new Engine(weights, options ?? blueprint.PlannedOptions());
        }
    }
}
