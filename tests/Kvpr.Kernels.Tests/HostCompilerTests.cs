using System;
using System.IO;

namespace Kvpr.Kernels.Tests;

/// <summary>
/// Type-checks the emitted CUDA C++ with the host's g++ against declarations of the CUDA built-ins (CudaShim/),
/// so a malformed kernel fails here rather than on the GPU machine. Skipped where g++ is not installed.
/// </summary>
public class HostCompilerTests
{
    [GxxTheory]
    [InlineData("opt-tiny", WeightType.Float16)]
    [InlineData("llama-tiny", WeightType.Float16)]
    [InlineData("llama-tiny-gqa", WeightType.BFloat16)]
    [InlineData("opt-6.7b", WeightType.Float16)]
    [InlineData("llama3-tiny", WeightType.BFloat16)]
    [InlineData("llama-linear-tiny", WeightType.Float16)]
    [InlineData("mistral-tiny", WeightType.Float16)]
    [InlineData("qwen2-tiny", WeightType.Float16)]
    [InlineData("qwen2-llama3", WeightType.BFloat16)]
    public void Emitted_source_passes_gxx_syntax_and_type_checks(string model, WeightType weights)
    {
        string source = KernelEmitter.Emit(FixtureSpecs.Get(model) with { WeightType = weights }).Source;
        string file = Path.Combine(Path.GetTempPath(), $"kvpr-{Guid.NewGuid():N}.cu");
        File.WriteAllText(file, source);
        try
        {
            string shim = Path.Combine(AppContext.BaseDirectory, "CudaShim");
            // #pragma unroll is NVRTC's; g++ would warn that it does not know it.
            var (exitCode, output) = Gxx.Run($"-std=c++17 -fsyntax-only -Wall -Wextra -Werror -Wno-unknown-pragmas -x c++ -I \"{shim}\" -include cuda_shim.h \"{file}\"");
            exitCode.ShouldBe(0, output);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
