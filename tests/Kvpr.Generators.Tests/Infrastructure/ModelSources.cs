namespace Kvpr.Generators.Tests.Infrastructure;

/// <summary>Annotated model classes: the fixture checkpoints (tests/fixtures/README.md) and OPT-6.7B from the issue.</summary>
internal static class ModelSources
{
    /// <summary>A class <c>Tests.Model</c> with the given [TransformerModel] and, if any, [DecodeWorkload] arguments.</summary>
    public static string Declaration(string modelArguments, string? workloadArguments = null, string declaration = "public partial class Model { }") => $$"""
        using Kvpr;

        namespace Tests;

        [TransformerModel({{modelArguments}})]
        {{(workloadArguments is null ? "" : $"[DecodeWorkload({workloadArguments})]")}}
        {{declaration}}
        """;

    // The fixtures' reference run: batch 2, prompt 12, 20 new tokens. Names are the fixture folders, as HuggingFaceConfig names specs.
    public const string OptTiny = """
        using Kvpr;

        namespace Fixtures;

        [TransformerModel(Architecture.Opt, Name = "opt-tiny", Layers = 2, Hidden = 64, Heads = 4, FfnHidden = 256, Vocab = 512, MaxPositions = 128)]
        [DecodeWorkload(Objective.Latency, Batch = 2, PromptLength = 12, MaxNewTokens = 20)]
        public partial class OptTiny { }
        """;

    public const string LlamaTiny = """
        using Kvpr;

        namespace Fixtures;

        [TransformerModel(Architecture.Llama, Name = "llama-tiny", Layers = 2, Hidden = 64, Heads = 4, FfnHidden = 192, Vocab = 512, MaxPositions = 128)]
        [DecodeWorkload(Objective.Latency, Batch = 2, PromptLength = 12, MaxNewTokens = 20)]
        public partial class LlamaTiny { }
        """;

    public const string LlamaTinyGqa = """
        using Kvpr;

        namespace Fixtures;

        [TransformerModel(Architecture.Llama, Name = "llama-tiny-gqa", Layers = 2, Hidden = 64, Heads = 4, KvHeads = 2, FfnHidden = 192, Vocab = 512,
                          MaxPositions = 128)]
        [DecodeWorkload(Objective.Throughput, Batch = 2, PromptLength = 12, MaxNewTokens = 20, MicroBatches = 2)]
        public partial class LlamaTinyGqa { }
        """;

    public const string Llama3Tiny = """
        using Kvpr;

        namespace Fixtures;

        [TransformerModel(Architecture.Llama, Name = "llama3-tiny", Layers = 2, Hidden = 64, Heads = 4, KvHeads = 2, FfnHidden = 192, Vocab = 512,
                          MaxPositions = 128, RopeTheta = 500000, RopeScaling = RopeScaling.Llama3, RopeScalingFactor = 8, RopeLowFrequencyFactor = 1,
                          RopeHighFrequencyFactor = 4, RopeOriginalMaxPositions = 64, TiedEmbeddings = true, WeightType = WeightType.BFloat16)]
        [DecodeWorkload(Objective.Latency, Batch = 2, PromptLength = 12, MaxNewTokens = 20)]
        public partial class Llama3Tiny { }
        """;

    public const string LlamaLinearTiny = """
        using Kvpr;

        namespace Fixtures;

        [TransformerModel(Architecture.Llama, Name = "llama-linear-tiny", Layers = 2, Hidden = 64, Heads = 4, FfnHidden = 192, Vocab = 512, MaxPositions = 128,
                          RopeScaling = RopeScaling.Linear, RopeScalingFactor = 2)]
        [DecodeWorkload(Objective.Latency, Batch = 2, PromptLength = 12, MaxNewTokens = 20)]
        public partial class LlamaLinearTiny { }
        """;

    public const string MistralTiny = """
        using Kvpr;

        namespace Fixtures;

        [TransformerModel(Architecture.Mistral, Name = "mistral-tiny", Layers = 2, Hidden = 64, Heads = 4, KvHeads = 2, FfnHidden = 192, Vocab = 512,
                          MaxPositions = 128, NormEps = 1e-5, SlidingWindow = 8)]
        [DecodeWorkload(Objective.Throughput, Batch = 2, PromptLength = 12, MaxNewTokens = 20, MicroBatches = 2)]
        public partial class MistralTiny { }
        """;

    public const string Qwen2Tiny = """
        using Kvpr;

        namespace Fixtures;

        [TransformerModel(Architecture.Qwen2, Name = "qwen2-tiny", Layers = 2, Hidden = 64, Heads = 4, KvHeads = 2, FfnHidden = 192, Vocab = 512,
                          MaxPositions = 128, RopeTheta = 1000000, TiedEmbeddings = true)]
        [DecodeWorkload(Objective.Latency, Batch = 2, PromptLength = 12, MaxNewTokens = 20)]
        public partial class Qwen2Tiny { }
        """;

    public const string Opt6_7B = """
        using Kvpr;

        namespace Samples;

        [TransformerModel(Architecture.Opt, Layers = 32, Hidden = 4096, Heads = 32, FfnHidden = 16384,
                          Vocab = 50272, MaxPositions = 2048)]
        [DecodeWorkload(Objective.Latency, Batch = 32, PromptLength = 1024, MaxNewTokens = 32)]
        public partial class Opt6_7B { }
        """;

    /// <summary>OPT-6.7B under a 20 GB cap: some layers keep their KV, the others recompute a prefix and stream the rest.</summary>
    public const string Opt6_7BCapped = """
        using Kvpr;

        namespace Samples;

        [TransformerModel(Architecture.Opt, Name = "opt-6.7b", Layers = 32, Hidden = 4096, Heads = 32, FfnHidden = 16384)]
        [DecodeWorkload(Objective.Throughput, Batch = 32, PromptLength = 1024, MaxNewTokens = 32, MicroBatches = 2, GpuMemoryBytes = 20_000_000_000)]
        public partial class Opt6_7BCapped { }
        """;
}
