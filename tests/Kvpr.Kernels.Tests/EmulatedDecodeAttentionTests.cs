using System;
using System.Collections.Generic;
using System.Globalization;

namespace Kvpr.Kernels.Tests;

/// <summary>
/// decode_attention and attention_combine as emitted, run on the CPU by CudaEmulator/ (each CUDA thread a fiber,
/// barriers and warp shuffles as rendezvous) against attention in float64 on the same 16-bit inputs: the kernels'
/// logic checked where there is no GPU. The selftest on a GPU (KernelSelftest) remains the check of the real thing.
/// </summary>
public class EmulatedDecodeAttentionTests(EmulatedPrograms programs) : IClassFixture<EmulatedPrograms>
{
    public static IEnumerable<object[]> Cases()
    {
        // (batch, length) in partitions as DecodePartitions.For picks them on an H100 (132 multiprocessors).
        foreach (var (model, batch, length) in new[]
        {
            ("opt-tiny", 1, 1), ("opt-tiny", 2, 300), ("mqa-d80", 1, 1), ("mqa-d80", 2, 300), ("gqa6-d128", 2, 259),
            ("llama-tiny-gqa-bf16", 3, 200), ("mqa-d256-bf16", 1, 150),
        })
        {
            var partitions = DecodePartitions.For(EmulatedModels.ByName[model], batch, length, multiprocessors: 132);
            yield return new object[] { model, batch, length, partitions.TokensPerPartition, partitions.Count };
        }

        // Partitions of one token; partitions of 50 with two empty ones past the end; a partition shorter than a step.
        yield return new object[] { "opt-tiny", 2, 130, 1, 130 };
        yield return new object[] { "mqa-d80", 3, 100, 50, 4 };
        yield return new object[] { "mqa-d256-bf16", 2, 37, 16, 3 };
        // Sliding window: shorter than the window; the window inside one partition; across partitions of 16 with most of them empty.
        yield return new object[] { "mistral-window-40", 2, 30, 128, 1 };
        yield return new object[] { "mistral-window-40", 1, 300, 128, 3 };
        yield return new object[] { "mistral-window-40", 2, 100, 16, 7 };
    }

    [GxxTheory]
    [MemberData(nameof(Cases))]
    public void Decode_attention_and_combine_match_float64_attention(string model, int batch, int length, int tokensPerPartition, int partitions)
    {
        var spec = EmulatedModels.ByName[model];
        string program = programs.For(spec, "decode_attention_check.cpp");

        var (exitCode, output) = Gxx.RunProgram(program, Invariant($"{batch} {length} {tokensPerPartition} {partitions} {spec.SlidingWindow}"));

        exitCode.ShouldBe(0, output);
        // The output rounds to 16 bits: 2^-11 relative for fp16 (4.9e-4 at most), 2^-8 for bf16.
        double.Parse(output, CultureInfo.InvariantCulture).ShouldBeLessThan(spec.WeightType == WeightType.BFloat16 ? 4e-3 : 1e-3);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
