using System.Diagnostics;
using System.Linq;
using Kvpr.Generators.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Kvpr.Generators.Tests.Generation;

/// <summary>
/// Values at and beyond the documented limits: each refused with a diagnostic at the argument or profile field at fault
/// (never KVPR099, never generated code), and a declaration at the layer limit compiled in seconds.
/// </summary>
public class LimitTests(ITestOutputHelper output)
{
    private const string Small = "Architecture.Opt, Hidden = 64, Heads = 4, FfnHidden = 256, Vocab = 512, MaxPositions = 128";

    [Theory]
    [InlineData("Architecture.Opt, Layers = 2, Hidden = 64, Heads = 4, FfnHidden = 256, MaxPositions = int.MaxValue", "KVPR006", "MaxPositions = int.MaxValue",
        "MaxPositions must be in [1, 16,777,216], but is 2,147,483,647.")]
    [InlineData("Architecture.Opt, Layers = 2, Hidden = 64, Heads = 4, FfnHidden = 256, MaxPositions = 2147483646", "KVPR006", "MaxPositions = 2147483646",
        "MaxPositions must be in [1, 16,777,216], but is 2,147,483,646.")]
    [InlineData("Architecture.Opt, Layers = 100000, Hidden = 64, Heads = 4, FfnHidden = 256", "KVPR006", "Layers = 100000",
        "Layers must be in [1, 1,024], but is 100,000.")]
    [InlineData("Architecture.Llama, Layers = 2, Hidden = 64, Heads = 4, FfnHidden = 192, RopeTheta = 1e300", "KVPR010", "RopeTheta = 1e300",
        "RopeTheta must be in [1, 1,000,000,000,000], but is 1E+300.")]
    [InlineData("Architecture.Llama, Layers = 2, Hidden = 64, Heads = 4, FfnHidden = 192, NormEps = double.NaN", "KVPR010", "NormEps = double.NaN",
        "NormEps must be in [1E-12, 0.1], but is NaN.")]
    public void A_value_out_of_range_is_reported_at_its_argument_with_the_range(string arguments, string id, string at, string message)
    {
        var run = GeneratorRun.Run(ModelSources.Declaration(arguments));
        run.Result.Exception.ShouldBeNull();
        run.GeneratedSources.ShouldBeEmpty();
        var diagnostic = run.Diagnostics.ShouldHaveSingleItem();
        (diagnostic.Id, diagnostic.GetMessage()).ShouldBe((id, message));
        var tree = run.Input.SyntaxTrees.Single(t => t.FilePath == diagnostic.Location.GetLineSpan().Path);
        tree.GetText().ToString(diagnostic.Location.SourceSpan).ShouldBe(at);
    }

    [Fact]
    public void A_workload_too_large_to_size_is_reported_at_the_workload_not_as_an_internal_error()
    {
        var run = GeneratorRun.Run(ModelSources.Declaration("Architecture.Opt, Layers = 1024, Hidden = 65536, Heads = 256, FfnHidden = 1024, MaxPositions = 16777216",
            "Objective.Throughput, Batch = 65536, MicroBatches = 1024, PromptLength = 16777215, MaxNewTokens = 1"));
        var diagnostic = run.Diagnostics.ShouldHaveSingleItem();
        diagnostic.Id.ShouldBe("KVPR009");
        diagnostic.GetMessage().ShouldContain("1 PiB");
        run.GeneratedSources.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("\"GBps\": 53.779", "\"GBps\": 1e300", "hostToDevice[2].GBps")]
    [InlineData("\"tflops\": 40.026", "\"tflops\": 1e-300", "gemmFp16[0].tflops")]
    [InlineData("\"deviceMemoryGBps\": 2980.298", "\"deviceMemoryGBps\": 1e300", "deviceMemoryGBps")]
    [InlineData("\"kernelLaunchMicroseconds\": 3.921", "\"kernelLaunchMicroseconds\": 1e300", "kernelLaunchMicroseconds")]
    [InlineData("\"gpuMemoryBytes\": 85017493504", "\"gpuMemoryBytes\": 1e300", "gpuMemoryBytes")]
    public void A_profile_value_out_of_range_is_KVPR007_naming_the_field(string original, string replacement, string field)
    {
        string text = HardwareProfiles.StoredText(HardwareProfiles.DefaultName);
        int at = text.IndexOf(original, System.StringComparison.Ordinal);
        at.ShouldBeGreaterThanOrEqualTo(0);
        string edited = text.Substring(0, at) + replacement + text.Substring(at + original.Length);
        var run = GeneratorRun.Run(ModelSources.Declaration(Small.Replace("Architecture.Opt,", "Architecture.Opt, Layers = 2,")), "profiles/far.hwprofile.json", ("/project/profiles/far.hwprofile.json", edited));
        var diagnostic = run.Diagnostics.ShouldHaveSingleItem();
        diagnostic.Id.ShouldBe("KVPR007");
        diagnostic.GetMessage().ShouldContain($"field '{field}' must be in [");
        run.GeneratedSources.ShouldBeEmpty();
    }

    /// <summary>
    /// The layer limit's declaration compiles in seconds and its output grows linearly with the layers. The times are
    /// printed, not asserted beyond a bound far above them (timing goals are never asserted).
    /// </summary>
    [Fact]
    public void A_declaration_at_the_layer_limit_generates_linearly()
    {
        Generate(2); // loads and compiles Roslyn and the generator once, outside the measurements
        var runs = new[] { 100, 500, 1000 }.Select(layers => (Layers: layers, Run: Generate(layers))).ToArray();
        foreach (var (layers, (seconds, characters)) in runs)
            output.WriteLine($"{layers:N0} layers: {seconds:F2} s, {characters:N0} characters");
        runs[^1].Run.Seconds.ShouldBeLessThan(30);
        // Linear: the 500 layers from 500 to 1,000 add 500/400 of what the 400 from 100 to 500 added.
        double growth = (double)(runs[2].Run.Characters - runs[1].Run.Characters) / (runs[1].Run.Characters - runs[0].Run.Characters);
        growth.ShouldBe(500.0 / 400, 0.05);

        var watch = Stopwatch.StartNew();
        var beyond = GeneratorRun.Run(ModelSources.Declaration(Small.Replace("Architecture.Opt,", "Architecture.Opt, Layers = 100000,")));
        output.WriteLine($"100,000 layers: diagnostic in {watch.Elapsed.TotalSeconds:F2} s");
        beyond.Diagnostics.ShouldHaveSingleItem().GetMessage().ShouldBe("Layers must be in [1, 1,024], but is 100,000.");
        beyond.GeneratedSources.ShouldBeEmpty();
        watch.Elapsed.TotalSeconds.ShouldBeLessThan(30);
    }

    private static (double Seconds, long Characters) Generate(int layers)
    {
        var watch = Stopwatch.StartNew();
        var run = GeneratorRun.Run(ModelSources.Declaration(Small.Replace("Architecture.Opt,", $"Architecture.Opt, Layers = {layers},")));
        double seconds = watch.Elapsed.TotalSeconds;
        run.Diagnostics.ShouldBeEmpty();
        return (seconds, run.GeneratedSources.Sum(s => (long)s.SourceText.Length));
    }
}
