using System;
using System.Collections.Generic;
using System.Globalization;

namespace Kvpr.Kernels.Tests;

/// <summary>
/// The model's prefill attention as emitted (prefill_attention_mma where its head dim suits the tensor cores, with
/// the emulator's mma; prefill_attention for heads of 16), run on the CPU by CudaEmulator/ against causal attention in
/// float64 on the same 16-bit inputs: whole prompts and chunks from a later position, with and without a sliding window.
/// </summary>
public class EmulatedPrefillAttentionTests(EmulatedPrograms programs) : IClassFixture<EmulatedPrograms>
{
    public static IEnumerable<object[]> Cases()
    {
        // A prompt shorter than a block's queries, one over several query blocks and tiles, and a chunk from position 70.
        foreach (string model in new[] { "opt-tiny", "llama-tiny-gqa-bf16", "gqa6-d128", "mistral-window-40", "mqa-d80", "mqa-d256-bf16" })
        {
            yield return new object[] { model, 2, 5, 0 };
            yield return new object[] { model, 2, 100, 0 };
            yield return new object[] { model, 1, 37, 70 };
        }
    }

    [GxxTheory]
    [MemberData(nameof(Cases))]
    public void Prefill_attention_matches_float64_causal_attention(string model, int batch, int tokens, int firstPosition)
    {
        var spec = EmulatedModels.ByName[model];
        bool mma = KernelEmitter.Emit(spec).Contains(KernelNames.PrefillAttentionMma);
        string program = programs.For(spec, mma ? "prefill_attention_mma_check.cpp" : "prefill_attention_check.cpp");

        var (exitCode, output) = Gxx.RunProgram(program, string.Create(CultureInfo.InvariantCulture, $"{batch} {tokens} {firstPosition} {spec.SlidingWindow}"));

        exitCode.ShouldBe(0, output);
        // The output rounds to 16 bits: 2^-11 relative for fp16, 2^-8 for bf16.
        double.Parse(output, CultureInfo.InvariantCulture).ShouldBeLessThan(spec.WeightType == WeightType.BFloat16 ? 4e-3 : 1e-3);
    }
}
