using Kvpr.Graphs;
using Kvpr.Kernels;
using Kvpr.Planning;

namespace Kvpr
{
    /// <summary>
    /// Everything Kvpr compiles for one model, profile and workload. The source generator builds it at build time
    /// and emits it as C# literals; the runtime builds the same one with <see cref="Compile"/> for a checkpoint
    /// nobody annotated. Value equality, so a test can check that both paths agree.
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

        /// <summary>The one aggregation both paths share: plans, then builds the graphs for the plan's residency, the weight map and the kernels.</summary>
        /// <exception cref="SpecException">The spec or workload is invalid, or the workload does not fit; lists every problem.</exception>
        public static EngineBlueprint Compile(ModelSpec spec, HardwareProfile profile, DecodeWorkload workload)
        {
            var result = DecodePlanner.Plan(spec, profile, workload);
            var plan = result.Plan ?? throw new SpecException(result.Errors);
            // The graphs load activations in the chunks the cost model priced the plan with.
            int chunks = CostSettings.Default.ActivationChunks;
            return new EngineBlueprint(spec, WeightMap.For(spec), plan,
                ExecutionGraphBuilder.RowByRow(spec, plan.Residency, chunks),
                ExecutionGraphBuilder.ColumnByColumn(spec, plan.Residency, workload.MicroBatches, chunks),
                KernelEmitter.Emit(spec));
        }
    }
}
