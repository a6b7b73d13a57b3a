using System.Linq;
using Kvpr.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Kvpr.Generators.Tests.Generation;

/// <summary>Each diagnostic the generator reports, triggered by the input that causes it and pointing at the text at fault.</summary>
public class DiagnosticTests
{
    private const string Valid = "Architecture.Llama, Layers = 2, Hidden = 64, Heads = 4, FfnHidden = 192, Vocab = 512, MaxPositions = 128";

    /// <summary>The generator's only diagnostic, with the source text it points at.</summary>
    private static (Diagnostic Diagnostic, string At) Single(GeneratorRun run)
    {
        run.Result.Exception.ShouldBeNull();
        var diagnostic = run.Diagnostics.ShouldHaveSingleItem();
        run.GeneratedSources.ShouldBeEmpty();
        // The generator rebuilds locations from file path and span, so read the text from the input's tree.
        var tree = run.Input.SyntaxTrees.Single(t => t.FilePath == diagnostic.Location.GetLineSpan().Path);
        string at = tree.GetText().ToString(diagnostic.Location.SourceSpan);
        return (diagnostic, at);
    }

    [Fact]
    public void A_class_that_is_not_partial_is_KVPR001()
    {
        var (diagnostic, at) = Single(GeneratorRun.Run(ModelSources.Declaration(Valid, declaration: "public class Model { }")));
        diagnostic.Id.ShouldBe("KVPR001");
        at.ShouldBe("Model");
        diagnostic.GetMessage().ShouldContain("partial class Model");
    }

    [Fact]
    public void A_model_nested_in_a_type_that_is_not_partial_is_KVPR001_naming_that_type()
    {
        var source = ModelSources.Declaration(Valid, declaration: "public partial class Model { }").Replace("[TransformerModel", "public static class Outer {\n[TransformerModel") + "\n}";
        var (diagnostic, at) = Single(GeneratorRun.Run(source));
        diagnostic.Id.ShouldBe("KVPR001");
        at.ShouldBe("Outer");
    }

    [Fact]
    public void An_undefined_architecture_is_KVPR002()
    {
        var (diagnostic, at) = Single(GeneratorRun.Run(ModelSources.Declaration("(Architecture)7, Layers = 2, Hidden = 64, Heads = 4, FfnHidden = 192")));
        diagnostic.Id.ShouldBe("KVPR002");
        at.ShouldBe("(Architecture)7");
        diagnostic.GetMessage().ShouldContain("Architecture.Llama");
    }

    [Theory]
    [InlineData("Architecture.Opt, Layers = 2, Hidden = 4096, Heads = 30, FfnHidden = 16384", "KVPR003", "Heads = 30")]
    [InlineData("Architecture.Llama, Layers = 2, Hidden = 4096, Heads = 32, KvHeads = 5, FfnHidden = 11008", "KVPR004", "KvHeads = 5")]
    [InlineData("Architecture.Llama, Layers = 2, Hidden = 4100, Heads = 4, FfnHidden = 11008", "KVPR005", "Heads = 4")]
    [InlineData("Architecture.Opt, Layers = 0, Hidden = 64, Heads = 4, FfnHidden = 256", "KVPR006", "Layers = 0")]
    [InlineData("Architecture.Llama, Layers = 2, Hidden = 64, Heads = 4, FfnHidden = 192, NormEps = 0", "KVPR010", "NormEps = 0")]
    [InlineData("Architecture.Opt, Layers = 2, Hidden = 64, Heads = 4, FfnHidden = 256, RopeTheta = 10000", "KVPR010", "RopeTheta = 10000")]
    [InlineData("Architecture.Opt, Layers = 2, Hidden = 64, Heads = 4, KvHeads = 2, FfnHidden = 256", "KVPR010", "KvHeads = 2")]
    [InlineData("Architecture.Opt, Layers = 2, Hidden = 64, Heads = 4, FfnHidden = 256, Name = \" \"", "KVPR010", "Name = \" \"")]
    [InlineData("Architecture.Opt, Layers = 2, Hidden = 64, Heads = 4, FfnHidden = 256, SlidingWindow = 128", "KVPR010", "SlidingWindow = 128")]
    [InlineData("Architecture.Mistral, Layers = 2, Hidden = 64, Heads = 4, FfnHidden = 192, SlidingWindow = -1", "KVPR010", "SlidingWindow = -1")]
    [InlineData("Architecture.Llama, Layers = 2, Hidden = 64, Heads = 4, FfnHidden = 192, RopeScaling = RopeScaling.Linear, RopeScalingFactor = 0.5", "KVPR010", "RopeScalingFactor = 0.5")]
    [InlineData("Architecture.Llama, Layers = 2, Hidden = 64, Heads = 4, FfnHidden = 192, RopeScaling = RopeScaling.Linear, RopeScalingFactor = 2, RopeLowFrequencyFactor = 1",
        "KVPR010", "RopeLowFrequencyFactor = 1")]
    [InlineData("Architecture.Qwen2, Layers = 2, Hidden = 64, Heads = 4, FfnHidden = 192, RopeScaling = (RopeScaling)9, RopeScalingFactor = 2", "KVPR010", "RopeScaling = (RopeScaling)9")]
    public void An_invalid_model_value_is_reported_at_its_argument(string arguments, string id, string at)
    {
        var (diagnostic, location) = Single(GeneratorRun.Run(ModelSources.Declaration(arguments)));
        diagnostic.Id.ShouldBe(id);
        location.ShouldBe(at);
    }

    [Fact]
    public void A_missing_required_dimension_is_KVPR006_saying_what_to_add()
    {
        var (diagnostic, at) = Single(GeneratorRun.Run(ModelSources.Declaration("Architecture.Opt, Layers = 2, Hidden = 64, Heads = 4")));
        diagnostic.Id.ShouldBe("KVPR006");
        diagnostic.GetMessage().ShouldContain("must set FfnHidden");
        at.ShouldStartWith("TransformerModel(");
    }

    [Theory]
    [InlineData("Objective.Latency, Batch = 0, PromptLength = 12, MaxNewTokens = 20", "Batch = 0")]
    [InlineData("Objective.Latency, Batch = 2, PromptLength = 12, MaxNewTokens = 20, MicroBatches = 2", "MicroBatches = 2")]
    [InlineData("Objective.Latency, Batch = 2, PromptLength = 100, MaxNewTokens = 100", "MaxNewTokens = 100")]
    [InlineData("Objective.Throughput, GpuMemoryBytes = -1", "GpuMemoryBytes = -1")]
    [InlineData("(Objective)5", "(Objective)5")]
    public void An_invalid_workload_is_KVPR009_at_its_argument(string workload, string at)
    {
        var (diagnostic, location) = Single(GeneratorRun.Run(ModelSources.Declaration(Valid, workload)));
        diagnostic.Id.ShouldBe("KVPR009");
        location.ShouldBe(at);
    }

    [Fact]
    public void A_workload_that_cannot_fit_the_memory_cap_is_KVPR008_saying_how_much_is_missing()
    {
        var run = GeneratorRun.Run(ModelSources.Declaration("Architecture.Opt, Layers = 32, Hidden = 4096, Heads = 32, FfnHidden = 16384",
            "Objective.Latency, Batch = 32, PromptLength = 1024, MaxNewTokens = 32, GpuMemoryBytes = 400_000_000"));
        var (diagnostic, at) = Single(run);
        diagnostic.Id.ShouldBe("KVPR008");
        at.ShouldBe("GpuMemoryBytes = 400_000_000");
        diagnostic.GetMessage().ShouldContain("bytes are missing");
    }

    [Fact]
    public void A_malformed_profile_file_is_KVPR007_naming_the_file_and_field()
    {
        string text = HardwareProfiles.StoredText(HardwareProfiles.DefaultName).Replace("\"deviceMemoryGBps\"", "\"deviceMemoryGbps\"");
        var run = GeneratorRun.Run(ModelSources.Declaration(Valid), "profiles/mine.hwprofile.json", ("/project/profiles/mine.hwprofile.json", text));
        var (diagnostic, at) = Single(run);
        diagnostic.Id.ShouldBe("KVPR007");
        at.ShouldStartWith("TransformerModel(");
        diagnostic.GetMessage().ShouldContain("/project/profiles/mine.hwprofile.json");
        diagnostic.GetMessage().ShouldContain("deviceMemoryGbps");
    }

    [Fact]
    public void A_profile_that_is_neither_stored_nor_given_is_KVPR011()
    {
        var (diagnostic, _) = Single(GeneratorRun.Run(ModelSources.Declaration(Valid), "profiles/missing.hwprofile.json"));
        diagnostic.Id.ShouldBe("KVPR011");
        diagnostic.GetMessage().ShouldContain("profiles/missing.hwprofile.json");
        diagnostic.GetMessage().ShouldContain(HardwareProfiles.DefaultName);
    }

    [Fact]
    public void A_language_version_older_than_the_generated_code_needs_is_KVPR098()
    {
        var run = GeneratorRun.Run(ModelSources.Declaration(Valid), parseOptions: GeneratorRun.ParseOptions.WithLanguageVersion(LanguageVersion.CSharp10));
        var (diagnostic, _) = Single(run);
        diagnostic.Id.ShouldBe("KVPR098");
        diagnostic.GetMessage().ShouldContain("<LangVersion>latest</LangVersion>");
    }

    /// <summary>Input the compiler rejects or that makes no sense: the generator reports or ignores it, but never throws.</summary>
    [Theory]
    [InlineData("[TransformerModel] public partial class Model { }")]
    [InlineData("[TransformerModel(Architecture.Opt, Layers = \"two\", Hidden = 64, Heads = 4, FfnHidden = 256)] public partial class Model { }")]
    [InlineData("[TransformerModel(Architecture.Opt, Layers = 2, Hidden = 64, Heads = 4, FfnHidden = 256)] public partial struct Model { }")]
    [InlineData("[TransformerModel(Architecture.Opt, Layers = 2, Hidden = 64, Heads = 4, FfnHidden = 256)] public partial class { }")]
    [InlineData("[TransformerModel(Architecture.Opt, Layers = 2, Hidden = 64, Heads = 4, FfnHidden = 256)] public partial class Model<T> { }")]
    [InlineData("[TransformerModel(Architecture.Opt, Layers = int.MaxValue, Hidden = int.MaxValue, Heads = 1, FfnHidden = int.MaxValue)] public partial class Model { }")]
    [InlineData("[TransformerModel(Architecture.Opt, Layers = 2, Hidden = 64, Heads = 4, FfnHidden = 256, Name = \"a\\nb\")] public partial class Model { }")]
    [InlineData("[TransformerModel(Architecture.Opt, Layers = 2, Hidden = 64, Heads = 4, FfnHidden = 256)] public partial class Model { }\n" +
                "[TransformerModel(Architecture.Opt, Layers = 2, Hidden = 64, Heads = 4, FfnHidden = 256)] public partial class Model { }")]
    [InlineData("[DecodeWorkload(Objective.Latency, Batch = 2)] public partial class NotAModel { }")]
    public void The_generator_never_throws(string declaration)
    {
        var run = GeneratorRun.Run("using Kvpr;\nnamespace Tests;\n" + declaration);
        run.Result.Exception.ShouldBeNull();
        run.Output.GetDiagnostics().ShouldNotContain(d => d.Id == "CS8785" || d.Id == "AD0001");
        run.Diagnostics.ShouldNotContain(d => d.Id == "KVPR099");
    }

    [Fact]
    public void Arguments_the_compiler_cannot_bind_are_left_to_the_compiler()
    {
        var run = GeneratorRun.Run(ModelSources.Declaration("Architecture.Gemma, Layers = 2, Hidden = 64, Heads = 4, FfnHidden = 192"));
        run.Result.Exception.ShouldBeNull();
        run.Diagnostics.ShouldBeEmpty();
        run.Output.GetDiagnostics().ShouldContain(d => d.Id == "CS0117");
    }
}
