#:project ../../../src/Kernels/Kvpr.Kernels.csproj
#:property PublishAot=false
#:property GenerateProgramFile=false
// Writes the CUDA sources check_kernels.py reads: `dotnet run emit_sources.cs -- OUT_DIR`.
// The fixture models (tests/fixtures), OPT-6.7B, Llama-2-7B, a bf16 variant and a multi-query model with head dim 256.
using System;
using System.IO;
using Kvpr;
using Kvpr.Kernels;

string folder = args.Length == 1 ? args[0] : throw new ArgumentException("usage: dotnet run emit_sources.cs -- OUT_DIR");
Directory.CreateDirectory(folder);
ModelSpec[] specs =
{
    ModelSpec.Opt("opt-tiny", hidden: 64, layers: 2, heads: 4, ffnHidden: 256, vocab: 512, maxPositions: 128),
    ModelSpec.Llama("llama-tiny", hidden: 64, layers: 2, heads: 4, kvHeads: 4, ffnHidden: 192, vocab: 512, maxPositions: 128),
    ModelSpec.Llama("llama-tiny-gqa", hidden: 64, layers: 2, heads: 4, kvHeads: 2, ffnHidden: 192, vocab: 512, maxPositions: 128),
    ModelSpec.Llama("llama-tiny-bf16", hidden: 64, layers: 2, heads: 4, kvHeads: 2, ffnHidden: 192, vocab: 512, maxPositions: 128) with { WeightType = WeightType.BFloat16 },
    ModelSpec.Llama("llama-mqa-d256", hidden: 4096, layers: 2, heads: 16, kvHeads: 1, ffnHidden: 1000, vocab: 1000, maxPositions: 128),
    ModelCatalog.Get("opt-6.7b"),
    ModelCatalog.Get("llama-2-7b"),
};
foreach (var spec in specs)
{
    var kernels = KernelEmitter.Emit(spec);
    File.WriteAllText(Path.Combine(folder, kernels.ProgramName), kernels.Source);
    Console.WriteLine(kernels);
}
