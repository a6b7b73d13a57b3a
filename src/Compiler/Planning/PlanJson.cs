using Kvpr.Json;

namespace Kvpr.Planning
{
    /// <summary>
    /// A plan as JSON for machines: the summary, one entry per decode step (its three shares of the stored tokens:
    /// recomputed, transferred, attended to by the CPU), and the table it came from.
    /// </summary>
    public static class PlanJson
    {
        /// <param name="spec">The model the plan was made for, which gives the layer count.</param>
        public static string Write(DecodePlan plan, ModelSpec spec)
        {
            PlanReport.CheckModel(plan, spec);
            var w = plan.Workload;
            var json = new JsonWriter().StartObject()
                .Property("model", plan.ModelName)
                .Property("profile", plan.ProfileName)
                .Property("defaultProfile", plan.UsesDefaultProfile)
                .Property("objective", w.Objective == Objective.Latency ? "latency" : "throughput")
                .Property("batch", w.Batch)
                .Property("microBatches", w.MicroBatches)
                .Property("promptLength", w.PromptLength)
                .Property("newTokens", w.MaxNewTokens)
                .Property("gpuBytes", plan.GpuBytes)
                .Property("gpuBudgetBytes", plan.GpuBudgetBytes)
                .Name("residency").StartObject()
                    .Property("layers", spec.Layers)
                    .Property("kvResidentLayers", plan.Residency.KvResidentLayers)
                    .Property("weightResidentLayers", plan.Residency.WeightResidentLayers)
                .EndObject()
                .Property("predictedGenerationMs", plan.PredictedGenerationMs)
                .Property("predictedMsPerToken", plan.PredictedMsPerToken);

            json.Name("steps").StartArray();
            foreach (var step in plan.Steps)
                json.StartObject()
                    .Property("length", step.Length)
                    .Property("recomputeTokens", step.RecomputeTokens)
                    .Property("transferredTokens", step.TransferredTokens)
                    .Property("hostTokens", step.HostTokens)
                    .Property("predictedStepMs", step.Times.PredictedMs)
                    .Property("floorAllKvMs", step.Times.FloorAllKvMs)
                    .Property("floorAllRecomputeMs", step.Times.FloorAllRecomputeMs)
                    .EndObject();
            json.EndArray();

            json.Name("table").StartArray();
            foreach (var row in plan.Table.Rows)
                json.StartObject()
                    .Property("batch", row.Batch)
                    .Property("fromLength", row.FromLength)
                    .Property("toLength", row.ToLength)
                    .Property("recomputeFraction", row.RecomputeFraction)
                    .Property("hostFraction", row.HostFraction)
                    .Property("predictedMsFrom", row.AtFrom.PredictedMs)
                    .Property("predictedMsTo", row.AtTo.PredictedMs)
                    .EndObject();
            json.EndArray();
            return json.EndObject() + "\n";
        }
    }
}
