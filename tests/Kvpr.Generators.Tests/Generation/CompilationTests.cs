using System.Linq;
using Kvpr.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;

namespace Kvpr.Generators.Tests.Generation;

public class CompilationTests
{
    [Theory]
    [InlineData(ModelSources.OptTiny)]
    [InlineData(ModelSources.LlamaTiny)]
    [InlineData(ModelSources.LlamaTinyGqa)]
    [InlineData(ModelSources.Llama3Tiny)]
    [InlineData(ModelSources.LlamaLinearTiny)]
    [InlineData(ModelSources.MistralTiny)]
    [InlineData(ModelSources.Qwen2Tiny)]
    [InlineData(ModelSources.Opt6_7B)]
    [InlineData(ModelSources.Opt6_7BCapped)]
    public void Generated_code_compiles_without_warnings(string source)
    {
        var run = GeneratorRun.Run(source);
        run.Diagnostics.ShouldBeEmpty();
        run.Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ShouldBeEmpty();
    }

    [Fact]
    public void Generated_code_compiles_without_the_runtime()
    {
        var run = GeneratorRun.Run(ModelSources.OptTiny, withRuntime: false);
        run.Diagnostics.ShouldBeEmpty();
        run.Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ShouldBeEmpty();
    }

    [Fact]
    public void A_model_in_the_global_namespace_nested_in_a_partial_type_compiles()
    {
        const string source = """
            using Kvpr;
            public static partial class Models
            {
                [TransformerModel(Architecture.Llama, Layers = 1, Hidden = 64, Heads = 2, FfnHidden = 128, Vocab = 100, MaxPositions = 64)]
                internal partial record Small;
            }
            """;
        var run = GeneratorRun.Run(source);
        run.Diagnostics.ShouldBeEmpty();
        run.Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ShouldBeEmpty();
        run.GeneratedSources.Select(s => s.HintName).ShouldContain("Models.Small.EntryPoints.g.cs");
    }
}
