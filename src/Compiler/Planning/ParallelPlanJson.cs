using System.Collections.Generic;
using Kvpr.Json;

namespace Kvpr.Planning
{
    /// <summary>Parallel plans as JSON for machines: per GPU count the best layout's name and every layout weighed.</summary>
    public static class ParallelPlanJson
    {
        /// <param name="plans">Plans of one model, profile and workload, one per GPU count.</param>
        public static string Write(IReadOnlyList<ParallelPlan> plans)
        {
            var first = ParallelPlanReport.First(plans);
            var w = first.Workload;
            var json = new JsonWriter().StartObject()
                .Property("model", first.Model.Name)
                .Property("profile", first.ProfileName)
                .Property("objective", w.Objective == Objective.Latency ? "latency" : "throughput")
                .Property("batch", w.Batch)
                .Property("promptLength", w.PromptLength)
                .Property("newTokens", w.MaxNewTokens);
            json.Name("plans").StartArray();
            foreach (var plan in plans)
            {
                json.StartObject().Property("gpus", plan.Gpus).Property("best", plan.Best?.Layout.ToString());
                json.Name("layouts").StartArray();
                foreach (var layout in plan.Layouts)
                {
                    json.StartObject()
                        .Property("layout", layout.Layout.ToString())
                        .Property("tensorParallel", layout.Layout.TensorParallel)
                        .Property("dataParallel", layout.Layout.DataParallel);
                    if (layout.Exclusion is { } reason)
                        json.Property("excluded", reason);
                    else
                        json.Property("stepMs", layout.StepMs)
                            .Property("speedUp", plan.SpeedUp(layout))
                            .Property("tokensPerSecond", layout.TokensPerSecond)
                            .Property("linkGBpsPerGpu", layout.LinkGBpsPerGpu)
                            .Property("aggregateLinkGBps", layout.AggregateLinkGBps)
                            .Property("hostMemoryGBps", layout.HostMemoryGBps)
                            .Property("hostBoundSteps", layout.HostBoundSteps);
                    json.EndObject();
                }
                json.EndArray().EndObject();
            }
            return json.EndArray().EndObject() + "\n";
        }
    }
}
