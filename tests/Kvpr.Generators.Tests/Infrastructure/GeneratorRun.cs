using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Kvpr.Generators.Tests.Infrastructure;

/// <summary>Runs <see cref="KvprGenerator"/> over C# source with CSharpGeneratorDriver, as the compiler would in a build.</summary>
internal sealed class GeneratorRun
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private const string RuntimeAssembly = "Kvpr.Runtime.dll";

    /// <summary>The .NET assemblies plus Kvpr.Compiler, Kvpr.Kernels and Kvpr.Runtime, as a consuming project sees them.</summary>
    private static readonly Lazy<MetadataReference[]> References = new(() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(path => Path.GetFileName(path) is var name
                && (name.StartsWith("System.", StringComparison.Ordinal) || name is "netstandard.dll" or "mscorlib.dll" or "Kvpr.Compiler.dll" or "Kvpr.Kernels.dll" or RuntimeAssembly))
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToArray());

    private GeneratorRun(GeneratorDriver driver, Compilation input, Compilation output, ImmutableArray<Diagnostic> diagnostics)
    {
        Driver = driver;
        Input = input;
        Output = output;
        Diagnostics = diagnostics;
    }

    public GeneratorDriver Driver { get; }
    public Compilation Input { get; }
    /// <summary>The input compilation with the generated files added.</summary>
    public Compilation Output { get; }
    /// <summary>Diagnostics the generator reported.</summary>
    public ImmutableArray<Diagnostic> Diagnostics { get; }

    public GeneratorRunResult Result => Driver.GetRunResult().Results.Single();

    public IReadOnlyList<GeneratedSourceResult> GeneratedSources => Result.GeneratedSources;

    /// <param name="profileProperty">The KvprHardwareProfile build property, if set.</param>
    /// <param name="profileFile">A profile file passed as an AdditionalFiles item marked KvprHardwareProfile="true".</param>
    public static GeneratorRun Run(string source, string? profileProperty = null, (string Path, string Text)? profileFile = null,
        bool withRuntime = true, CSharpParseOptions? parseOptions = null)
    {
        parseOptions ??= ParseOptions;
        var globalOptions = new Dictionary<string, string>();
        if (profileProperty is not null)
            globalOptions["build_property.KvprHardwareProfile"] = profileProperty;
        var additionalTexts = new List<AdditionalText>();
        var fileOptions = new Dictionary<string, IReadOnlyDictionary<string, string>>();
        if (profileFile is { } file)
        {
            additionalTexts.Add(new InMemoryAdditionalText(file.Path, file.Text));
            fileOptions[file.Path] = new Dictionary<string, string> { ["build_metadata.AdditionalFiles.KvprHardwareProfile"] = "true" };
        }

        var references = withRuntime ? References.Value : References.Value.Where(r => !r.Display!.EndsWith(RuntimeAssembly, StringComparison.Ordinal));
        var compilation = CSharpCompilation.Create("Consumer",
            new[] { CSharpSyntaxTree.ParseText(source, parseOptions, path: "Models.cs") },
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        GeneratorDriver driver = CSharpGeneratorDriver.Create(
            new[] { new KvprGenerator().AsSourceGenerator() },
            additionalTexts,
            parseOptions,
            new AnalyzerOptions(globalOptions, fileOptions),
            new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        return new GeneratorRun(driver, compilation, output, diagnostics);
    }

    /// <summary>Compiles the output, fails on any error, and loads it so tests can read the generated members.</summary>
    public Assembly LoadOutput()
    {
        using var image = new MemoryStream();
        var emitted = Output.Emit(image);
        emitted.Success.ShouldBeTrue(string.Join(Environment.NewLine, emitted.Diagnostics));
        return Assembly.Load(image.ToArray());
    }
}
