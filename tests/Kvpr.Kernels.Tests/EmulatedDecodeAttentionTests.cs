using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.IO;

namespace Kvpr.Kernels.Tests;

/// <summary>
/// decode_attention and attention_combine as emitted, run on the CPU by CudaEmulator/ (each CUDA thread a fiber,
/// barriers and warp shuffles as rendezvous) against attention in float64 on the same 16-bit inputs: the kernels'
/// logic checked where there is no GPU. The selftest on a GPU (KernelSelftest) remains the check of the real thing.
/// </summary>
public class EmulatedDecodeAttentionTests(EmulatedDecodeAttentionTests.Programs programs) : IClassFixture<EmulatedDecodeAttentionTests.Programs>
{
    private static readonly Dictionary<string, ModelSpec> Models = new()
    {
        // Head dim 16: 2 lanes a token, 64 tokens in flight per step; multi-head.
        ["opt-tiny"] = FixtureSpecs.OptTiny,
        // bf16, 2 query heads a KV head in one block.
        ["llama-tiny-gqa-bf16"] = FixtureSpecs.LlamaTinyGqa with { WeightType = WeightType.BFloat16 },
        // Head dim 80: 10 chunks on 16 lanes (6 spare); 8 query heads a KV head, in two blocks of 4.
        ["mqa-d80"] = ModelSpec.Llama("mqa-d80", hidden: 640, layers: 1, heads: 8, kvHeads: 1, ffnHidden: 256),
        // Head dim 128, 6 query heads a KV head: two blocks of 3.
        ["gqa6-d128"] = ModelSpec.Llama("gqa6-d128", hidden: 1536, layers: 1, heads: 12, kvHeads: 2, ffnHidden: 256),
        // Head dim 256: a whole warp a token; 16 query heads in four blocks; bf16.
        ["mqa-d256-bf16"] = ModelSpec.Llama("mqa-d256-bf16", hidden: 4096, layers: 1, heads: 16, kvHeads: 1, ffnHidden: 256) with { WeightType = WeightType.BFloat16 },
        // A sliding window of 40 tokens, GQA: splits before the window stay empty, one starts inside it.
        ["mistral-window-40"] = ModelSpec.Mistral("mistral-window-40", hidden: 512, layers: 1, heads: 8, kvHeads: 2, ffnHidden: 256, slidingWindow: 40),
    };

    public static IEnumerable<object[]> Cases()
    {
        // (batch, length) split as DecodeSplit splits it on an H100 (132 multiprocessors).
        foreach (var (model, batch, length) in new[]
        {
            ("opt-tiny", 1, 1), ("opt-tiny", 2, 300), ("mqa-d80", 1, 1), ("mqa-d80", 2, 300), ("gqa6-d128", 2, 259),
            ("llama-tiny-gqa-bf16", 3, 200), ("mqa-d256-bf16", 1, 150),
        })
        {
            var split = DecodeSplit.For(Models[model], batch, length, multiprocessors: 132);
            yield return new object[] { model, batch, length, split.TokensPerSplit, split.Splits };
        }

        // Splits of one token; splits of 50 with two empty ones past the end; a split shorter than a step.
        yield return new object[] { "opt-tiny", 2, 130, 1, 130 };
        yield return new object[] { "mqa-d80", 3, 100, 50, 4 };
        yield return new object[] { "mqa-d256-bf16", 2, 37, 16, 3 };
        // Sliding window: shorter than the window; the window inside one split; across splits of 16 with most of them empty.
        yield return new object[] { "mistral-window-40", 2, 30, 128, 1 };
        yield return new object[] { "mistral-window-40", 1, 300, 128, 3 };
        yield return new object[] { "mistral-window-40", 2, 100, 16, 7 };
    }

    [GxxTheory]
    [MemberData(nameof(Cases))]
    public void Decode_attention_and_combine_match_float64_attention(string model, int batch, int length, int tokensPerSplit, int splits)
    {
        var spec = Models[model];
        string program = programs.For(spec);

        var (exitCode, output) = Gxx.RunProgram(program, Invariant($"{batch} {length} {tokensPerSplit} {splits} {spec.SlidingWindow}"));

        exitCode.ShouldBe(0, output);
        // The output rounds to 16 bits: 2^-11 relative for fp16 (4.9e-4 at most), 2^-8 for bf16.
        double.Parse(output, CultureInfo.InvariantCulture).ShouldBeLessThan(spec.WeightType == WeightType.BFloat16 ? 4e-3 : 1e-3);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>The check program of each model, compiled once per test run into a folder deleted afterwards.</summary>
    public sealed class Programs : IDisposable
    {
        private readonly string _folder = Path.Combine(Path.GetTempPath(), $"kvpr-emulated-{Guid.NewGuid():N}");
        private readonly ConcurrentDictionary<string, Lazy<string>> _programs = new();

        public string For(ModelSpec spec) => _programs.GetOrAdd(spec.Name, _ => new Lazy<string>(() => Compile(spec))).Value;

        public void Dispose()
        {
            if (Directory.Exists(_folder))
                Directory.Delete(_folder, recursive: true);
        }

        private string Compile(ModelSpec spec)
        {
            Directory.CreateDirectory(_folder);
            string source = Path.Combine(_folder, spec.Name + ".cu"), program = Path.Combine(_folder, spec.Name);
            File.WriteAllText(source, KernelEmitter.Emit(spec).Source);
            string emulator = Path.Combine(AppContext.BaseDirectory, "CudaEmulator");
            // The model's kernels come first (-include), then the check that launches them.
            var (exitCode, output) = Gxx.Run($"-std=c++17 -O1 -w -I \"{emulator}\" -include cuda_emulator.h -include \"{source}\" \"{Path.Combine(emulator, "decode_attention_check.cpp")}\" -o \"{program}\"");
            exitCode.ShouldBe(0, output);
            return program;
        }
    }
}
