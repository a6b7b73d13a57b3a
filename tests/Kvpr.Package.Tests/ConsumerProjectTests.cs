using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Kvpr.Checkpoints;
using Kvpr.Package.Tests.Infrastructure;

namespace Kvpr.Package.Tests;

/// <summary>A fresh console project with nothing but the Kvpr package and an annotated partial class.</summary>
[Collection(LocalPackagesCollection.Name)]
public class ConsumerProjectTests(LocalPackages packages)
{
    // tests/fixtures/opt-tiny's dimensions; the prompts come in as "1,2,3;4,5,6" and the tokens go out a sequence a line.
    private const string OptTinyProgram = """
        using Kvpr;
        using Kvpr.Checkpoints;

        using var checkpoint = Checkpoint.Open(args[0]);
        using var engine = OptTiny.CreateEngine(CheckpointWeights.Load(checkpoint, OptTiny.Spec));
        int[][] prompts = args[1].Split(';').Select(prompt => prompt.Split(',').Select(int.Parse).ToArray()).ToArray();
        var result = engine.Generate(prompts, new GenerationOptions { MaxNewTokens = OptTiny.Workload.MaxNewTokens, StopOnEos = false });
        Console.WriteLine($"profile {OptTiny.Plan.ProfileName}");
        foreach (int[] tokens in result.Tokens)
            Console.WriteLine(string.Join(",", tokens));

        [TransformerModel(Architecture.Opt, Layers = 2, Hidden = 64, Heads = 4, FfnHidden = 256, Vocab = 512, MaxPositions = 128)]
        [DecodeWorkload(Objective.Latency, Batch = 2, PromptLength = 12, MaxNewTokens = 20)]
        public partial class OptTiny { }
        """;

    [Fact]
    public void An_annotated_model_built_from_the_package_decodes_the_fixture_to_the_Hugging_Face_tokens()
    {
        string fixture = BuildSettings.Fixture("opt-tiny");
        var reference = ReferenceOutputs.Read(fixture);
        string project = packages.CreateConsoleProject("OptTinyApp", OptTinyProgram);

        // A stored profile other than the embedded default: the property must reach the generator through the package's targets.
        Dotnet.Run(project, packages.Environment, "build", "--no-restore", "-p:KvprHardwareProfile=t4-pcie3");
        string prompts = string.Join(";", reference.Prompts.Select(prompt => string.Join(",", prompt)));
        string[] lines = Dotnet.Run(project, packages.Environment, Path.Combine("bin", "Debug", "net10.0", "OptTinyApp.dll"), fixture, prompts)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        lines[0].ShouldBe("profile t4-pcie3");
        lines.Skip(1).Select(line => line.Split(',').Select(int.Parse).ToArray()).ToArray().ShouldBe(reference.GeneratedTokens);
        Directory.EnumerateFiles(Path.Combine(project, "obj"), "OptTiny.Engine.g.cs", SearchOption.AllDirectories)
            .ShouldNotBeEmpty("the package's build/Kvpr.props asks for the generated files to be written");
    }

    [Fact]
    public void The_README_example_compiles_against_the_package_as_written()
    {
        string readme = File.ReadAllText(Path.Combine(BuildSettings.RepoRoot, "README.md"));
        var examples = Regex.Matches(readme, @"^```csharp\n(.*?)^```", RegexOptions.Singleline | RegexOptions.Multiline);
        examples.Count.ShouldBe(1, "README.md should hold one C# example");

        string project = packages.CreateConsoleProject("ReadmeExample", examples[0].Groups[1].Value);

        Dotnet.Run(project, packages.Environment, "build", "--no-restore", "-warnaserror");
    }
}
