using System.Collections.Generic;
using Kvpr.Generators.Model;
using Kvpr.Generators.Profiles;

namespace Kvpr.Generators.Emitting
{
    /// <summary>
    /// The model's public members: <c>Blueprint</c> (assembled from the other files' <c>Create*</c> methods, so
    /// no static initialiser depends on another file's), <c>Spec</c> and, with the runtime, <c>CreateEngine</c>.
    /// </summary>
    internal static class EntryPointEmitter
    {
        public static GeneratedFile Emit(ModelDeclaration model, EngineBlueprint blueprint, ProfileSource profile, bool hasRuntime) =>
            PartialTypeWriter.Write(model, "EntryPoints", "the entry points (Blueprint, Spec, CreateEngine)", Header(model, profile), writer =>
            {
                writer.Line("/// <summary>Everything Kvpr compiled for this model: spec, workload, weight map, plan, execution graphs and kernels.</summary>")
                    .Line("public static global::Kvpr.EngineBlueprint Blueprint { get; } = new(")
                    .Line("    Spec: CreateSpec(),")
                    .Line("    WeightMap: CreateWeightMap(),")
                    .Line("    Plan: CreatePlan(),")
                    .Line("    RowByRowGraph: CreateRowByRowGraph(),")
                    .Line("    ColumnByColumnGraph: CreateColumnByColumnGraph(),")
                    .Line("    Kernels: CreateKernels());")
                    .Line()
                    .Line("/// <summary>The model's dimensions and numerics, with the family defaults filled in.</summary>")
                    .Line("public static global::Kvpr.ModelSpec Spec => Blueprint.Spec;")
                    .Line();
                if (hasRuntime)
                    WriteCreateEngine(writer);
                WriteSpec(writer, blueprint.Spec);
            });

        private static void WriteCreateEngine(SourceWriter writer) =>
            writer.Line("/// <summary>")
                .Line("/// An engine running <paramref name=\"weights\"/> (e.g. <c>global::Kvpr.RandomWeights.Create(Spec, seed)</c> or a checkpoint's).")
                .Line("/// Without <paramref name=\"options\"/> it follows the plan solved at build time: its split per step, schedule and micro-batches.")
                .Line("/// </summary>")
                .Line("public static global::Kvpr.Engine CreateEngine(global::Kvpr.ModelWeights weights, global::Kvpr.EngineOptions? options = null) =>")
                .Line("    global::Kvpr.EngineBlueprintExtensions.CreateEngine(Blueprint, weights, options);")
                .Line();

        private static IEnumerable<string> Header(ModelDeclaration model, ProfileSource profile)
        {
            yield return profile.Description;
            if (!model.WorkloadDeclared)
                yield return "No [DecodeWorkload] was declared: DecodeWorkload.DefaultFor(spec) applies.";
        }

        private static void WriteSpec(SourceWriter writer, ModelSpec spec)
        {
            using (writer.Block("private static global::Kvpr.ModelSpec CreateSpec() => new()", "};"))
            {
                writer.Line($"Name = {Literals.String(spec.Name)},")
                    .Line($"Architecture = {Literals.Enum(spec.Architecture)},")
                    .Line($"Layers = {Literals.Int(spec.Layers)},")
                    .Line($"Hidden = {Literals.Int(spec.Hidden)},")
                    .Line($"Heads = {Literals.Int(spec.Heads)},")
                    .Line($"KvHeads = {Literals.Int(spec.KvHeads)},")
                    .Line($"FfnHidden = {Literals.Int(spec.FfnHidden)},")
                    .Line($"Vocab = {Literals.Int(spec.Vocab)},")
                    .Line($"MaxPositions = {Literals.Int(spec.MaxPositions)},")
                    .Line($"Norm = {Literals.Enum(spec.Norm)},")
                    .Line($"NormEps = {Literals.Double(spec.NormEps)},")
                    .Line($"Activation = {Literals.Enum(spec.Activation)},")
                    .Line($"GatedMlp = {Literals.Bool(spec.GatedMlp)},")
                    .Line($"RopeTheta = {Literals.Double(spec.RopeTheta)},")
                    .Line($"RopeScaling = {Literals.Enum(spec.RopeScaling)},")
                    .Line($"RopeScalingFactor = {Literals.Double(spec.RopeScalingFactor)},")
                    .Line($"RopeLowFrequencyFactor = {Literals.Double(spec.RopeLowFrequencyFactor)},")
                    .Line($"RopeHighFrequencyFactor = {Literals.Double(spec.RopeHighFrequencyFactor)},")
                    .Line($"RopeOriginalMaxPositions = {Literals.Int(spec.RopeOriginalMaxPositions)},")
                    .Line($"SlidingWindow = {Literals.Int(spec.SlidingWindow)},")
                    .Line($"AttentionBias = {Literals.Bool(spec.AttentionBias)},")
                    .Line($"AttentionOutputBias = {Literals.Bool(spec.AttentionOutputBias)},")
                    .Line($"MlpBias = {Literals.Bool(spec.MlpBias)},")
                    .Line($"TiedEmbeddings = {Literals.Bool(spec.TiedEmbeddings)},")
                    .Line($"WeightType = {Literals.Enum(spec.WeightType)},");
            }
        }
    }
}
