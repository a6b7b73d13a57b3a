using System.Linq;
using Kvpr.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Kvpr.Generators.Tests.Generation;

public class IncrementalityTests
{
    [Fact]
    public void An_unrelated_edit_reuses_the_model_and_the_generated_source()
    {
        var first = GeneratorRun.Run(ModelSources.OptTiny);
        var edited = first.Input.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace Other; public class Unrelated { public int X => 1; }", GeneratorRun.ParseOptions));

        var result = first.Driver.RunGenerators(edited).GetRunResult().Results.Single();

        result.TrackedSteps[TrackingNames.Models].SelectMany(step => step.Outputs).Select(o => o.Reason)
            .ShouldAllBe(reason => reason == IncrementalStepRunReason.Cached || reason == IncrementalStepRunReason.Unchanged);
        result.TrackedOutputSteps.SelectMany(step => step.Value).SelectMany(step => step.Outputs).Select(o => o.Reason)
            .ShouldAllBe(reason => reason == IncrementalStepRunReason.Cached);
    }

    [Fact]
    public void An_unrelated_additional_file_reuses_the_profile_and_the_generated_source()
    {
        var first = GeneratorRun.Run(ModelSources.OptTiny);
        var driver = first.Driver.AddAdditionalTexts([new InMemoryAdditionalText("/project/notes.txt", "not a profile")]);

        var result = driver.RunGenerators(first.Input).GetRunResult().Results.Single();

        result.TrackedSteps[TrackingNames.Profile].SelectMany(step => step.Outputs).Select(o => o.Reason)
            .ShouldAllBe(reason => reason == IncrementalStepRunReason.Cached || reason == IncrementalStepRunReason.Unchanged);
        result.TrackedOutputSteps.SelectMany(step => step.Value).SelectMany(step => step.Outputs).Select(o => o.Reason)
            .ShouldAllBe(reason => reason == IncrementalStepRunReason.Cached);
    }

    [Fact]
    public void Editing_the_model_attribute_reruns_the_output()
    {
        var first = GeneratorRun.Run(ModelSources.OptTiny);
        var tree = first.Input.SyntaxTrees.Single();
        var edited = first.Input.ReplaceSyntaxTree(tree,
            CSharpSyntaxTree.ParseText(ModelSources.OptTiny.Replace("Layers = 2", "Layers = 3"), GeneratorRun.ParseOptions, tree.FilePath));

        var result = first.Driver.RunGenerators(edited).GetRunResult().Results.Single();

        result.TrackedSteps[TrackingNames.Models].SelectMany(step => step.Outputs).ShouldContain(o => o.Reason == IncrementalStepRunReason.Modified);
        result.GeneratedSources.Single(s => s.HintName.EndsWith(".EntryPoints.g.cs")).SourceText.ToString().ShouldContain("Layers = 3,");
    }
}
