using System;
using Kvpr.Planning;

namespace Kvpr
{
    /// <summary>Engines from a compiled <see cref="EngineBlueprint"/>: what a [TransformerModel] class's <c>CreateEngine</c> calls.</summary>
    public static class EngineBlueprintExtensions
    {
        /// <summary>Options that follow the blueprint's plan: its split per step, and the schedule, micro-batches and chunks it was priced with.</summary>
        public static EngineOptions PlannedOptions(this EngineBlueprint blueprint) => new()
        {
            Schedule = MicroBatching.ScheduleFor(blueprint.Workload.Objective),
            MicroBatches = blueprint.Workload.MicroBatches,
            ActivationChunks = blueprint.RowByRowGraph.ActivationChunks,
            Split = SplitPolicy.FromPlan(blueprint.Plan),
        };

        /// <summary>
        /// An engine running <paramref name="weights"/> with the blueprint's kernels, and with <see cref="PlannedOptions"/>
        /// unless <paramref name="options"/> are given. While the options follow the plan's split, the engine runs the
        /// blueprint's plan and graphs as they are (graphs rebuilt here, once, where the options ask for other
        /// micro-batches or chunks); another split, or an explicit residency, runs as an engine without a blueprint would.
        /// </summary>
        /// <exception cref="ArgumentException">The weights are for another model than the blueprint's.</exception>
        public static Engine CreateEngine(this EngineBlueprint blueprint, ModelWeights weights, EngineOptions? options = null)
        {
            if (weights is null)
                throw new ArgumentNullException(nameof(weights));
            if (weights.Spec with { Name = blueprint.Spec.Name } != blueprint.Spec)
                throw new ArgumentException($"The weights are for {weights.Spec}, but the blueprint was compiled for {blueprint.Spec}.", nameof(weights));
            // Same dimensions under another name (a checkpoint's spec is named after its folder): the plan's model.
            weights = weights.Named(blueprint.Spec.Name);
            options ??= blueprint.PlannedOptions();
            var runs = options.Split.Follows(blueprint.Plan) && options.Residency is null ? blueprint.WithGraphs(options.MicroBatches, options.ActivationChunks) : null;
            return new Engine(weights, options, blueprint.Kernels, runs);
        }
    }
}
