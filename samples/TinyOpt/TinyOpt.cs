namespace Kvpr.Samples;

/// <summary>
/// An OPT-shaped model small enough for the CPU. The Kvpr generator compiles its plan, execution graphs, weight map and
/// CUDA kernels at build time (read them under obj/…/generated). The plan is solved for the hardware profile named by
/// KvprHardwareProfile (dotnet build -p:KvprHardwareProfile=t4-pcie3), the embedded H100 one by default.
/// </summary>
[TransformerModel(Architecture.Opt, Name = "tiny-opt", Layers = 4, Hidden = 256, Heads = 4, FfnHidden = 1024, Vocab = 1024, MaxPositions = 512)]
[DecodeWorkload(Objective.Latency, Batch = 4, PromptLength = 16, MaxNewTokens = 16)]
public partial class TinyOpt { }
