using System.Collections.Generic;
using Kvpr.Generators.Model;
using Kvpr.Generators.Profiles;

namespace Kvpr.Generators.Emitting
{
    /// <summary>All files emitted for one model: entry points, weight map, plan, execution graphs and CUDA kernels.</summary>
    internal static class ModelEmitter
    {
        /// <summary>The runtime's engine type; <c>CreateEngine</c> is emitted only when the compilation has it.</summary>
        public const string EngineTypeName = "Kvpr.Engine";

        public static IEnumerable<GeneratedFile> Emit(ModelDeclaration model, EngineBlueprint blueprint, ProfileSource profile, bool hasRuntime)
        {
            yield return EntryPointEmitter.Emit(model, blueprint, profile, hasRuntime);
            yield return WeightMapEmitter.Emit(model, blueprint.WeightMap);
            yield return PlanEmitter.Emit(model, blueprint.Plan, blueprint.PlanReport);
            yield return GraphEmitter.Emit(model, blueprint.RowByRowGraph, "RowByRowGraph",
                "The latency schedule of one decode step: one batch through every layer, the next layer's transfers overlapping this one's compute.");
            yield return GraphEmitter.Emit(model, blueprint.ColumnByColumnGraph, "ColumnByColumnGraph",
                "The throughput schedule of one decode step: each layer's weights shared by every micro-batch before the next layer.");
            yield return KernelSourceEmitter.Emit(model, blueprint.Kernels);
        }
    }
}
