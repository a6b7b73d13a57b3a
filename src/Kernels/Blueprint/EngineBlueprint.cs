using Kvpr.Graphs;
using Kvpr.Kernels;
using Kvpr.Planning;

namespace Kvpr
{
    /// <summary>
    /// Everything Kvpr compiles for one model, profile and workload, and what an engine created from it runs: its
    /// graphs and its kernels, as they are here. The source generator builds it at build time and emits it as C#
    /// literals; the runtime builds the same one with <see cref="Compile"/> for a checkpoint nobody annotated.
    /// Value equality, so a test can check that both paths agree.
    /// </summary>
    /// <param name="RowByRowGraph">The latency schedule of one decode step.</param>
    /// <param name="ColumnByColumnGraph">The throughput schedule, over the workload's micro-batches.</param>
    /// <param name="Kernels">The model's CUDA kernels, with the content hash the runtime's compile cache is keyed by.</param>
    public sealed record EngineBlueprint(ModelSpec Spec, WeightMap WeightMap, DecodePlan Plan, ExecutionGraph RowByRowGraph,
        ExecutionGraph ColumnByColumnGraph, KernelSet Kernels)
    {
        /// <summary>The workload the plan was solved for.</summary>
        public DecodeWorkload Workload => Plan.Workload;

        /// <summary>The plan for people: residency, split per bucket, predicted step times next to the floors.</summary>
        public string PlanReport => global::Kvpr.Planning.PlanReport.Format(Plan, Spec);

        /// <summary>Plans, then aggregates the plan with <see cref="ForPlan"/>, in the activation chunks the cost model priced it with.</summary>
        /// <param name="options">Planner options; engines that upload every layer's weights plan with <c>ResidentWeights</c>.</param>
        /// <exception cref="SpecException">The spec or workload is invalid, or the workload does not fit; lists every problem.</exception>
        public static EngineBlueprint Compile(ModelSpec spec, HardwareProfile profile, DecodeWorkload workload, PlannerOptions? options = null)
        {
            var result = DecodePlanner.Plan(spec, profile, workload, options);
            var plan = result.Plan ?? throw new SpecException(result.Errors);
            return ForPlan(spec, plan, CostSettings.Default.ActivationChunks);
        }

        /// <summary>
        /// The one aggregation both paths share: a solved plan, the graphs for its residency and micro-batches (with the CPU
        /// lane where the plan gives the CPU tokens), the weight map and the kernels.
        /// </summary>
        public static EngineBlueprint ForPlan(ModelSpec spec, DecodePlan plan, int activationChunks) =>
            new(spec, WeightMap.For(spec), plan,
                ExecutionGraphBuilder.RowByRow(spec, plan.Residency, activationChunks, plan.Table.UsesHostAttention),
                ExecutionGraphBuilder.ColumnByColumn(spec, plan.Residency, plan.Workload.MicroBatches, activationChunks, plan.Table.UsesHostAttention),
                KernelEmitter.Emit(spec));

        /// <summary>
        /// This blueprint for another grouping: each graph whose micro-batches or chunks differ is rebuilt for the
        /// plan's residency; a graph that already matches is kept as it is (the same object).
        /// </summary>
        public EngineBlueprint WithGraphs(int microBatches, int activationChunks)
        {
            bool hostAttention = Plan.Table.UsesHostAttention;
            var row = RowByRowGraph.ActivationChunks == activationChunks ? RowByRowGraph : ExecutionGraphBuilder.RowByRow(Spec, Plan.Residency, activationChunks, hostAttention);
            var column = ColumnByColumnGraph.MicroBatches == microBatches && ColumnByColumnGraph.ActivationChunks == activationChunks
                ? ColumnByColumnGraph
                : ExecutionGraphBuilder.ColumnByColumn(Spec, Plan.Residency, microBatches, activationChunks, hostAttention);
            return ReferenceEquals(row, RowByRowGraph) && ReferenceEquals(column, ColumnByColumnGraph) ? this : this with { RowByRowGraph = row, ColumnByColumnGraph = column };
        }

        /// <summary>The graph of <paramref name="schedule"/>, as compiled.</summary>
        public ExecutionGraph Graph(ScheduleKind schedule) => schedule == ScheduleKind.RowByRow ? RowByRowGraph : ColumnByColumnGraph;
    }
}
