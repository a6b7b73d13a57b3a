using System;
using System.Globalization;
using System.Linq;
using System.Text;

namespace Kvpr.Planning
{
    /// <summary>
    /// A plan as text for people: what stays on the GPU, the split per bucket, and predictions next to the two floors.
    /// The CPU's share appears only in plans that give it tokens, so plans without CPU attention read as they always did.
    /// </summary>
    public static class PlanReport
    {
        private const double Giga = 1e9;

        /// <summary>The summary and the plan table: the workload's batch in full, smaller batches in one line each.</summary>
        public static string Format(DecodePlan plan, ModelSpec spec) => FormatSummary(plan, spec) + "\n" + FormatTable(plan);

        /// <summary>Model, profile, workload, memory, residency and the predicted times.</summary>
        /// <param name="spec">The model the plan was made for, which gives the layer count.</param>
        public static string FormatSummary(DecodePlan plan, ModelSpec spec)
        {
            CheckModel(plan, spec);
            int layers = spec.Layers;
            var w = plan.Workload;
            var text = new StringBuilder();
            Line(text, $"Plan for {plan.ModelName} on profile {plan.ProfileName}" +
                (plan.UsesDefaultProfile ? " (the embedded default profile: measure your machine for plans that fit it)." : "."));
            Line(text, $"Workload: {(w.Objective == Objective.Latency ? "latency" : "throughput")}, {DecodePlanner.DescribeBatch(w)}, prompt {w.PromptLength}, {w.MaxNewTokens} new tokens.");
            Line(text, $"GPU memory: {plan.GpuBytes / Giga:F2} GB of a {plan.GpuBudgetBytes / Giga:F2} GB budget.");
            Line(text, $"Residency: {Describe(plan.Residency.KvResidentLayers, layers, "KV cache", "offloaded to the host")}; " +
                $"{DescribeWeights(plan.Residency, layers)}.");
            if (plan.Table.UsesHostAttention)
                Line(text, "CPU attention: of every offloaded layer's s' stored tokens, l are recomputed, t cross as K and V, and the CPU attends to the last h in host memory.");
            var steps = plan.Steps.ToArray();
            Line(text, $"Predicted: first step {Ms(steps[0].Times.PredictedMs)}, last step {Ms(steps[steps.Length - 1].Times.PredictedMs)}, " +
                $"generation {Ms(plan.PredictedGenerationMs)}, {plan.PredictedMsPerToken.ToString("F3", CultureInfo.InvariantCulture)} ms per token.");
            return text.ToString();
        }

        /// <summary>The split per bucket of stored lengths, with the predictions at the bucket's ends.</summary>
        public static string FormatTable(DecodePlan plan)
        {
            var w = plan.Workload;
            var text = new StringBuilder();
            Line(text, $"Split per bucket, batch {w.Batch} (times are per step of the {(w.MicroBatches > 1 ? "micro-batch group" : "batch")}):");
            bool host = plan.Table.UsesHostAttention;
            Line(text, host ? Columns("lengths", "l/s'", "l", "predicted ms", "all-KV floor ms", "all-recompute ms", "h/s'", "h")
                : Columns("lengths", "l/s'", "l", "predicted ms", "all-KV floor ms", "all-recompute ms"));
            foreach (var row in plan.Table.Rows.Where(r => r.Batch == w.Batch))
            {
                int from = row.RecomputeTokensAt(row.FromLength), to = row.RecomputeTokensAt(row.ToLength);
                Line(text, Columns(Range(row.FromLength, row.ToLength), Fraction(row.RecomputeFraction), Range(from, to),
                    Range(row.AtFrom.PredictedMs, row.AtTo.PredictedMs), Range(row.AtFrom.FloorAllKvMs, row.AtTo.FloorAllKvMs),
                    Range(row.AtFrom.FloorAllRecomputeMs, row.AtTo.FloorAllRecomputeMs),
                    host ? Fraction(row.HostFraction) : "", host ? Range(row.HostTokensAt(row.FromLength), row.HostTokensAt(row.ToLength)) : ""));
            }
            foreach (var group in plan.Table.Rows.Where(r => r.Batch != w.Batch).GroupBy(r => r.Batch))
            {
                double low = group.Min(r => r.RecomputeFraction), high = group.Max(r => r.RecomputeFraction);
                Line(text, $"Batch {group.Key}: {group.Count()} buckets, l/s' {Range(low, high, "F3")}.");
            }
            return text.ToString();
        }

        /// <summary>
        /// One line per decode step: stored length, l, layers with resident KV / weights, predicted step time and the two
        /// floors; with CPU attention also the three shares: l recomputed, t transferred, h attended to by the CPU.
        /// </summary>
        public static string FormatSteps(DecodePlan plan)
        {
            var text = new StringBuilder();
            string resident = $"{plan.Residency.KvResidentLayers}/{plan.Residency.WeightResidentLayers}";
            bool host = plan.Table.UsesHostAttention;
            Line(text, StepColumns("s'", "l", "resident KV/W", "predicted ms", "all-KV floor ms", "all-recompute ms", host ? "t" : "", host ? "h" : ""));
            foreach (var step in plan.Steps)
                Line(text, StepColumns(Number(step.Length), Number(step.RecomputeTokens), resident, Ms(step.Times.PredictedMs, ""), Ms(step.Times.FloorAllKvMs, ""),
                    Ms(step.Times.FloorAllRecomputeMs, ""), host ? Number(step.TransferredTokens) : "", host ? Number(step.HostTokens) : ""));
            return text.ToString();
        }

        internal static void CheckModel(DecodePlan plan, ModelSpec spec)
        {
            if (spec is null)
                throw new ArgumentNullException(nameof(spec));
            if (plan.ModelName != spec.Name)
                throw new ArgumentException($"The plan was made for '{plan.ModelName}', not for '{spec.Name}'.", nameof(spec));
        }

        private static string Describe(int resident, int layers, string what, string otherwise) =>
            resident >= layers ? $"{what} of all {layers} layers on the GPU"
            : resident == 0 ? $"{what} of all {layers} layers {otherwise}"
            : $"{what} of layers 0–{resident - 1} on the GPU, of the other {layers - resident} {otherwise}";

        // Streamed layers are spread among the resident ones (Residency), so they are named.
        private static string DescribeWeights(Residency residency, int layers)
        {
            int resident = residency.WeightResidentLayers;
            if (resident >= layers || resident == 0)
                return Describe(resident, layers, "weights", "streamed every step");
            var streamed = residency.StreamedLayers(layers);
            return $"weights of {resident} layers on the GPU, of the other {layers - resident} (layers {string.Join(", ", streamed)}) streamed every step";
        }

        // The CPU's columns come last and are empty without CPU attention, so such plans keep their layout.
        private static string Columns(string lengths, string fraction, string l, string predicted, string allKv, string allRecompute,
            string hostFraction = "", string host = "") =>
            $"{lengths,-13} {fraction,6} {l,-11} {predicted,-17} {allKv,-17} {allRecompute,-17} {hostFraction,6} {host}".TrimEnd();

        private static string StepColumns(string length, string l, string resident, string predicted, string allKv, string allRecompute, string transferred, string host) =>
            $"{length,-8} {l,-8} {resident,-14} {predicted,-17} {allKv,-17} {allRecompute,-17} {transferred,-8} {host}".TrimEnd();

        private static string Fraction(double fraction) => fraction.ToString("F3", CultureInfo.InvariantCulture);

        private static string Range(int from, int to) => from == to ? Number(from) : $"{Number(from)}–{Number(to)}";

        private static string Range(double from, double to, string format = "F2")
        {
            string a = from.ToString(format, CultureInfo.InvariantCulture), b = to.ToString(format, CultureInfo.InvariantCulture);
            return a == b ? a : $"{a}–{b}";
        }

        private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

        private static string Ms(double ms, string unit = " ms") => ms.ToString("F2", CultureInfo.InvariantCulture) + unit;

        private static void Line(StringBuilder text, string line) => text.Append(line).Append('\n');
    }
}
