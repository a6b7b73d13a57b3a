namespace Kvpr.Samples;

/// <summary>An OPT-shaped model small enough for the CPU: its plan, graphs, weight map and kernels are compiled at build time.</summary>
[TransformerModel(Architecture.Opt, Name = "tiny-opt", Layers = 4, Hidden = 256, Heads = 4, FfnHidden = 1024, Vocab = 1024, MaxPositions = 512)]
[DecodeWorkload(Objective.Latency, Batch = 4, PromptLength = 16, MaxNewTokens = 16)]
public partial class TinyOpt { }
