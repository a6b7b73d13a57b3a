using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace Kvpr.Planning
{
    /// <summary>
    /// Parallel plans as text for people: one row per GPU count with its best layout, then every layout weighed, each
    /// excluded one with its reason.
    /// </summary>
    public static class ParallelPlanReport
    {
        /// <param name="plans">Plans of one model, profile and workload, one per GPU count.</param>
        public static string Format(IReadOnlyList<ParallelPlan> plans)
        {
            var first = First(plans);
            var w = first.Workload;
            bool throughput = w.Objective == Objective.Throughput;
            var text = new StringBuilder();
            Line(text, $"Parallel plans for {first.Model.Name} on profile {first.ProfileName}: {(throughput ? "throughput" : "latency")}, " +
                $"batch {w.Batch} over all GPUs, prompt {w.PromptLength}, {w.MaxNewTokens} new tokens. Predictions, not measurements.");
            Line(text, Row("GPUs", "layout", "step ms", "speed-up", throughput ? "tokens/s" : "", "link GB/s per GPU", "aggregate link GB/s", "host memory GB/s", "host-bound steps"));
            foreach (var plan in plans)
            {
                if (plan.Best is { } best)
                    Line(text, Figures(plan, best, plan.Gpus.ToString(CultureInfo.InvariantCulture), throughput));
                else
                    Line(text, $"{plan.Gpus,-5} no layout runs (see below)");
            }
            Line(text, "Layouts weighed:");
            foreach (var plan in plans)
                foreach (var layout in plan.Layouts)
                    Line(text, layout.Exclusion is { } reason
                        ? $"  {layout.Layout}: excluded: {reason}"
                        : "  " + Figures(plan, layout, "", throughput).TrimStart());
            return text.ToString();
        }

        /// <summary>The first of <paramref name="plans"/>, which gives the model, profile and workload they share.</summary>
        internal static ParallelPlan First(IReadOnlyList<ParallelPlan> plans) =>
            plans is { Count: > 0 } ? plans[0] : throw new System.ArgumentException("At least one parallel plan is needed.", nameof(plans));

        private static string Figures(ParallelPlan plan, LayoutPrediction layout, string gpus, bool throughput) => Row(gpus, layout.Layout.ToString(),
            Number(layout.StepMs, "F2"), Number(plan.SpeedUp(layout), "F2") + "x", throughput ? Number(layout.TokensPerSecond, "F0") : "",
            Number(layout.LinkGBpsPerGpu, "F1"), Number(layout.AggregateLinkGBps, "F1"), Number(layout.HostMemoryGBps, "F1"),
            $"{layout.HostBoundSteps}/{plan.Workload.MaxNewTokens}");

        private static string Row(string gpus, string layout, string step, string speedUp, string tokens, string perGpu, string aggregate, string host, string hostBound) =>
            $"{gpus,-5} {layout,-12} {step,9} {speedUp,9} {tokens,9} {perGpu,18} {aggregate,20} {host,17} {hostBound,17}";

        private static string Number(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

        private static void Line(StringBuilder text, string line) => text.Append(line.TrimEnd()).Append('\n');
    }
}
