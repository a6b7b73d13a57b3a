using System.IO;
using System.Linq;
using Kvpr.Checkpoints;
using Kvpr.Generators.Tests.Infrastructure;

namespace Kvpr.Generators.Tests.Generation;

/// <summary>
/// The build-time path (attributes → generator → emitted literals) and the run-time path (a fixture's config.json →
/// <see cref="EngineBlueprint.Compile"/>) must give the same blueprint, and the generated engine the tokens
/// Hugging Face generated for the fixture.
/// </summary>
public class BlueprintEquivalenceTests
{
    public static TheoryData<string, string, string> Fixtures() => new()
    {
        { "opt-tiny", ModelSources.OptTiny, "Fixtures.OptTiny" },
        { "llama-tiny", ModelSources.LlamaTiny, "Fixtures.LlamaTiny" },
        { "llama-tiny-gqa", ModelSources.LlamaTinyGqa, "Fixtures.LlamaTinyGqa" },
        { "llama3-tiny", ModelSources.Llama3Tiny, "Fixtures.Llama3Tiny" },
        { "llama-linear-tiny", ModelSources.LlamaLinearTiny, "Fixtures.LlamaLinearTiny" },
        { "mistral-tiny", ModelSources.MistralTiny, "Fixtures.MistralTiny" },
        { "qwen2-tiny", ModelSources.Qwen2Tiny, "Fixtures.Qwen2Tiny" },
    };

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void The_generated_blueprint_equals_the_one_compiled_at_run_time_from_config_json(string fixture, string source, string typeName)
    {
        var model = GeneratedModel(source, typeName);
        var generated = (EngineBlueprint)model.GetProperty("Blueprint")!.GetValue(null)!;
        var spec = HuggingFaceConfig.Read(Path.Combine(RepoPaths.Fixture(fixture), HuggingFaceConfig.FileName));

        var compiled = EngineBlueprint.Compile(spec, HardwareProfiles.Default, generated.Workload);

        generated.Spec.ShouldBe(compiled.Spec);
        generated.WeightMap.ShouldBe(compiled.WeightMap);
        generated.Plan.ShouldBe(compiled.Plan);
        generated.RowByRowGraph.ShouldBe(compiled.RowByRowGraph);
        generated.ColumnByColumnGraph.ShouldBe(compiled.ColumnByColumnGraph);
        generated.Kernels.ShouldBe(compiled.Kernels);
        generated.ShouldBe(compiled);
        model.GetField("PlanReport")!.GetValue(null).ShouldBe(compiled.PlanReport);
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void The_generated_engine_reproduces_the_tokens_of_Hugging_Face(string fixture, string source, string typeName)
    {
        var model = GeneratedModel(source, typeName);
        string folder = RepoPaths.Fixture(fixture);
        var spec = HuggingFaceConfig.Read(Path.Combine(folder, HuggingFaceConfig.FileName));
        using var checkpoint = Checkpoint.Open(folder);
        var reference = ReferenceOutputs.Read(folder);
        int[][] prompts = reference.Prompts, expected = reference.GeneratedTokens;

        var createEngine = model.GetMethod("CreateEngine")!;
        using var engine = (Engine)createEngine.Invoke(null, new object?[] { CheckpointWeights.Load(checkpoint, spec), null })!;
        var result = engine.Generate(prompts, new GenerationOptions { MaxNewTokens = expected[0].Length, StopOnEos = false });

        result.Tokens.ShouldBe(expected);
    }

    private static System.Type GeneratedModel(string source, string typeName) => GeneratorRun.Run(source).LoadOutput().GetType(typeName)!;
}
