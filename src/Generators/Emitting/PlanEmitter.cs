using System.Collections.Generic;
using System.Linq;
using Kvpr.Generators.Model;
using Kvpr.Planning;

namespace Kvpr.Generators.Emitting
{
    /// <summary>The plan solved at build time: the workload, the residency, the plan table as a commented table literal and the report.</summary>
    internal static class PlanEmitter
    {
        public static GeneratedFile Emit(ModelDeclaration model, DecodePlan plan, string report)
        {
            var header = new[]
            {
                $"Solved for {plan.Workload.Objective} decoding of batch {plan.Workload.Batch} × {plan.Workload.MicroBatches} micro-batch(es),",
                $"prompt {plan.Workload.PromptLength}, {plan.Workload.MaxNewTokens} new tokens, with hardware profile '{plan.ProfileName}'.",
                $"Residency: KV of the first {plan.Residency.KvResidentLayers} and the weights of {plan.Residency.WeightResidentLayers} of {model.Spec.Layers} layers stay on the GPU.",
            };
            return PartialTypeWriter.Write(model, "Plan", "decode plan", header, writer =>
            {
                writer.Line("/// <summary>The residency and the per-step recompute split, solved at build time from the hardware profile.</summary>")
                    .Line("public static global::Kvpr.Planning.DecodePlan Plan => Blueprint.Plan;")
                    .Line()
                    .Line("/// <summary>The workload the plan was solved for.</summary>")
                    .Line("public static global::Kvpr.DecodeWorkload Workload => Blueprint.Workload;")
                    .Line();
                writer.Line("private static global::Kvpr.Planning.DecodePlan CreatePlan() => new(")
                    .Line($"    ModelName: {Literals.String(plan.ModelName)},")
                    .Line("    Workload: CreateWorkload(),")
                    .Line($"    ProfileName: {Literals.String(plan.ProfileName)},")
                    .Line($"    Residency: new(KvResidentLayers: {Literals.Int(plan.Residency.KvResidentLayers)}, WeightResidentLayers: {Literals.Int(plan.Residency.WeightResidentLayers)}),")
                    .Line("    Table: CreatePlanTable(),")
                    .Line($"    GpuBytes: {Literals.Long(plan.GpuBytes)},")
                    .Line($"    GpuBudgetBytes: {Literals.Long(plan.GpuBudgetBytes)});")
                    .Line();
                WriteWorkload(writer, plan.Workload);
                writer.Line();
                WriteTable(writer, plan.Table);
                writer.Line()
                    .Line("/// <summary>The plan for people: residency, split per bucket, predicted step times next to the two floors.</summary>")
                    .Line("public const string PlanReport =")
                    .Verbatim(Literals.RawString(report) + ";\n");
            });
        }

        private static void WriteWorkload(SourceWriter writer, DecodeWorkload workload)
        {
            using (writer.Block("private static global::Kvpr.DecodeWorkload CreateWorkload() => new()", "};"))
            {
                writer.Line($"Objective = {Literals.Enum(workload.Objective)},")
                    .Line($"Batch = {Literals.Int(workload.Batch)},")
                    .Line($"PromptLength = {Literals.Int(workload.PromptLength)},")
                    .Line($"MaxNewTokens = {Literals.Int(workload.MaxNewTokens)},")
                    .Line($"MicroBatches = {Literals.Int(workload.MicroBatches)},");
                if (workload.GpuMemoryBytes is long cap)
                    writer.Line($"GpuMemoryBytes = {Literals.Long(cap)},");
            }
        }

        /// <summary>
        /// One row per bucket of (batch, stored length s'), columns aligned under a header comment; the CPU's share is a last
        /// column only in tables that give the CPU tokens (it defaults to 0), so tables without CPU attention read as before.
        /// </summary>
        private static void WriteTable(SourceWriter writer, PlanTable table)
        {
            string Times(StepTimes t) => $"new({Literals.Double(t.PredictedMs)}, {Literals.Double(t.FloorAllKvMs)}, {Literals.Double(t.FloorAllRecomputeMs)})";
            bool host = table.UsesHostAttention;
            var cells = table.Rows.Select(r => Separated(new[]
            {
                Literals.Int(r.Batch), Literals.Int(r.FromLength), Literals.Int(r.ToLength), Literals.Double(r.RecomputeFraction), Times(r.AtFrom), Times(r.AtTo),
            }.Concat(host ? new[] { Literals.Double(r.HostFraction) } : Enumerable.Empty<string>()))).ToArray();
            var titles = new[] { "batch", "s' from", "s' to", "l / s'", "ms at s' from: predicted, all-KV floor, all-recompute floor", "ms at s' to" }
                .Concat(host ? new[] { "host / s'" } : Enumerable.Empty<string>()).ToArray();
            var widths = titles.Select((title, column) => cells.Select(row => row[column].Length).Append(title.Length).Max()).ToArray();
            string Row(IReadOnlyList<string> row) => string.Join(" ", row.Select((cell, column) => column == row.Count - 1 ? cell : cell.PadRight(widths[column])));

            writer.Line("/// <summary>Per bucket of batch and stored length s': the recompute fraction l / s' and the predicted step times at both ends.</summary>");
            using (writer.Line("private static global::Kvpr.Planning.PlanTable CreatePlanTable() => new(").Indent("[", "]);"))
            {
                writer.Line("//  " + Row(titles));
                foreach (var row in cells)
                    writer.Line($"new({Row(row)}),");
            }
        }

        /// <summary>The arguments of one row, each but the last followed by its comma.</summary>
        private static string[] Separated(IEnumerable<string> arguments)
        {
            var cells = arguments.ToArray();
            for (int i = 0; i < cells.Length - 1; i++)
                cells[i] += ",";
            return cells;
        }
    }
}
