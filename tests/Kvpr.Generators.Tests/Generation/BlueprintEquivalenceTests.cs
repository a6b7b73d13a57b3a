using System.Reflection;
using Kvpr.Generators.Tests.Infrastructure;

namespace Kvpr.Generators.Tests.Generation;

/// <summary>
/// The build-time path (attributes → generator → emitted literals) and the run-time path
/// (<see cref="EngineBlueprint.Compile"/> on a spec nobody annotated) must give the same blueprint.
/// </summary>
public class BlueprintEquivalenceTests
{
    private static readonly DecodeWorkload FixtureWorkload = new() { Batch = 2, PromptLength = 12, MaxNewTokens = 20 };

    public static TheoryData<string, string, ModelSpec, DecodeWorkload> Fixtures() => new()
    {
        // Dimensions from tests/fixtures/README.md.
        { ModelSources.OptTiny, "Fixtures.OptTiny", ModelSpec.Opt("opt-tiny", 64, 2, 4, 256, vocab: 512, maxPositions: 128), FixtureWorkload },
        { ModelSources.LlamaTiny, "Fixtures.LlamaTiny", ModelSpec.Llama("llama-tiny", 64, 2, 4, 4, 192, vocab: 512, maxPositions: 128), FixtureWorkload },
        {
            ModelSources.LlamaTinyGqa, "Fixtures.LlamaTinyGqa", ModelSpec.Llama("llama-tiny-gqa", 64, 2, 4, 2, 192, vocab: 512, maxPositions: 128),
            FixtureWorkload with { Objective = Objective.Throughput, MicroBatches = 2 }
        },
    };

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void The_generated_blueprint_equals_the_one_compiled_at_run_time(string source, string typeName, ModelSpec spec, DecodeWorkload workload)
    {
        var assembly = GeneratorRun.Run(source).LoadOutput();
        var generated = (EngineBlueprint)assembly.GetType(typeName)!.GetProperty("Blueprint", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;

        var compiled = EngineBlueprint.Compile(spec, HardwareProfiles.Default, workload);

        generated.Spec.ShouldBe(compiled.Spec);
        generated.WeightMap.ShouldBe(compiled.WeightMap);
        generated.Plan.ShouldBe(compiled.Plan);
        generated.RowByRowGraph.ShouldBe(compiled.RowByRowGraph);
        generated.ColumnByColumnGraph.ShouldBe(compiled.ColumnByColumnGraph);
        generated.ShouldBe(compiled);
    }
}
