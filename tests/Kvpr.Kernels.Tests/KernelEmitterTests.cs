using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Text;

namespace Kvpr.Kernels.Tests;

public class KernelEmitterTests
{
    private static readonly string[] CommonEntryPoints =
    {
        KernelNames.Embed, KernelNames.Normalize, KernelNames.QkvEpilogue, KernelNames.KvRecomputeEpilogue,
        KernelNames.DecodeAttention, KernelNames.AttentionCombine,
        KernelNames.Argmax, KernelNames.Sample,
    };

    [Theory]
    [MemberData(nameof(FixtureSpecs.All), MemberType = typeof(FixtureSpecs))]
    public void Emission_is_deterministic(string model)
    {
        var first = KernelEmitter.Emit(FixtureSpecs.Get(model));
        var second = KernelEmitter.Emit(FixtureSpecs.Get(model));

        second.Source.ShouldBe(first.Source);
        second.ContentHash.ShouldBe(first.ContentHash);
        second.ShouldBe(first);
    }

    [Theory]
    [InlineData("opt-tiny", new[] { KernelNames.PrefillAttention, KernelNames.MlpActivation, KernelNames.ResidualAddBias })]
    [InlineData("opt-6.7b", new[] { KernelNames.PrefillAttentionMma, KernelNames.MlpActivation, KernelNames.ResidualAddBias })]
    [InlineData("llama-tiny", new[] { KernelNames.PrefillAttention, KernelNames.MlpGatedActivation, KernelNames.ResidualAdd })]
    [InlineData("llama-tiny-gqa", new[] { KernelNames.PrefillAttention, KernelNames.MlpGatedActivation, KernelNames.ResidualAdd })]
    [InlineData("mistral-tiny", new[] { KernelNames.PrefillAttention, KernelNames.MlpGatedActivation, KernelNames.ResidualAdd })]
    [InlineData("qwen2-llama3", new[] { KernelNames.PrefillAttention, KernelNames.MlpGatedActivation, KernelNames.ResidualAdd })]
    public void Each_needed_entry_point_is_declared_exactly_once_and_no_other(string model, string[] architectureEntryPoints)
    {
        var kernels = KernelEmitter.Emit(FixtureSpecs.Get(model));
        var declared = CudaDeclarations.EntryPoints(kernels.Source).Select(d => d.Name).ToArray();

        declared.OrderBy(n => n, StringComparer.Ordinal)
            .ShouldBe(CommonEntryPoints.Concat(architectureEntryPoints).OrderBy(n => n, StringComparer.Ordinal));
        declared.ShouldBeUnique();
        kernels.Kernels.Select(k => k.Name).ShouldBe(declared);
    }

    [Theory]
    [MemberData(nameof(FixtureSpecs.All), MemberType = typeof(FixtureSpecs))]
    public void Every_signature_matches_its_declaration_in_the_source(string model)
    {
        var kernels = KernelEmitter.Emit(FixtureSpecs.Get(model));
        var constants = CudaDeclarations.IntConstants(kernels.Source);

        foreach (var declaration in CudaDeclarations.EntryPoints(kernels.Source))
        {
            var signature = kernels[declaration.Name];
            signature.Parameters.Select(p => (p.CType, p.Name)).ShouldBe(declaration.Parameters, declaration.Name);
            constants[declaration.LaunchBounds].ShouldBe(signature.Launch.BlockThreads, declaration.Name);
        }
    }

    [Theory]
    [MemberData(nameof(FixtureSpecs.All), MemberType = typeof(FixtureSpecs))]
    public void Constants_are_the_model_dimensions(string model)
    {
        var spec = FixtureSpecs.Get(model);
        string source = KernelEmitter.Emit(spec).Source;
        var ints = CudaDeclarations.IntConstants(source);
        var floats = CudaDeclarations.FloatConstants(source);

        ints["HIDDEN"].ShouldBe(spec.Hidden);
        ints["HEADS"].ShouldBe(spec.Heads);
        ints["KV_HEADS"].ShouldBe(spec.KvHeads);
        ints["HEAD_DIM"].ShouldBe(spec.Hidden / spec.Heads);
        ints["KV_DIM"].ShouldBe(spec.KvHeads * spec.Hidden / spec.Heads);
        ints["GROUP_SIZE"].ShouldBe(spec.Heads / spec.KvHeads);
        ints["FFN"].ShouldBe(spec.FfnHidden);
        ints["VOCAB"].ShouldBe(spec.Vocab);
        ParseFloat(floats["NORM_EPS"]).ShouldBe((float)spec.NormEps);
        ParseFloat(floats["Q_SCALE"]).ShouldBe((float)(1 / Math.Sqrt(spec.Hidden / spec.Heads)));
        if (spec.Architecture == Architecture.Opt)
            ints["POSITION_OFFSET"].ShouldBe(2);
        else
            RopeTable(source).Length.ShouldBe(spec.HeadDim / 2);
    }

    [Fact]
    public void Rope_table_holds_theta_powers_rounded_to_the_weight_type()
    {
        var spec = FixtureSpecs.LlamaTinyGqa;

        var table = RopeTable(KernelEmitter.Emit(spec).Source);
        var bf16Table = RopeTable(KernelEmitter.Emit(spec with { WeightType = WeightType.BFloat16 }).Source);

        for (int i = 0; i < table.Length; i++)
        {
            double exact = Math.Pow(10000, -2.0 * i / spec.HeadDim);
            table[i].ShouldBe((float)(Half)exact);
            bf16Table[i].ShouldBe((float)exact, exact / 256);
            (BitConverter.SingleToInt32Bits(bf16Table[i]) & 0xFFFF).ShouldBe(0);
        }
    }

    [Fact]
    public void Sliding_window_models_start_attention_at_the_window()
    {
        var spec = ModelSpec.Mistral("mistral", hidden: 64, layers: 1, heads: 4, kvHeads: 2, ffnHidden: 128, vocab: 512, maxPositions: 128, slidingWindow: 8);

        string source = KernelEmitter.Emit(spec).Source;
        string plain = KernelEmitter.Emit(FixtureSpecs.LlamaTinyGqa).Source;

        CudaDeclarations.IntConstants(source)["SLIDING_WINDOW"].ShouldBe(8);
        source.ShouldContain("int first_visible(int position) { return max(0, position - SLIDING_WINDOW + 1); }");
        plain.ShouldContain("int first_visible(int /* position */) { return 0; }");
        plain.ShouldNotContain("SLIDING_WINDOW");
    }

    /// <summary>The values of ROPE_INV_FREQ in an emitted source.</summary>
    private static float[] RopeTable(string source)
    {
        var match = System.Text.RegularExpressions.Regex.Match(source, @"ROPE_INV_FREQ\[HALF_HEAD\] = \{([^}]*)\}");
        match.Success.ShouldBeTrue("the source declares ROPE_INV_FREQ");
        return match.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(ParseFloat).ToArray();
    }

    [Fact]
    public void Opt_kernels_use_learned_positions_biases_and_relu_only()
    {
        string code = CudaDeclarations.StripComments(KernelEmitter.Emit(FixtureSpecs.OptTiny).Source);

        code.ShouldContain("position_table");
        code.ShouldContain("bias");
        code.ShouldContain("fmaxf(x, 0.0f)");
        code.ShouldNotContain("ROPE_INV_FREQ");
        code.ShouldNotContain("rotate_pair");
        code.ShouldNotContain("gate");
        code.ShouldNotContain("expf(-x)");
    }

    [Fact]
    public void Llama_kernels_use_rope_rms_norm_and_silu_gate_without_biases()
    {
        string code = CudaDeclarations.StripComments(KernelEmitter.Emit(FixtureSpecs.LlamaTinyGqa).Source);

        code.ShouldContain("rotate_pair(src, q + (long long)r * HIDDEN + head * HEAD_DIM, t, row_position(r, row_tokens, first_position), Q_SCALE)");
        code.ShouldContain("rsqrtf(block_sum(squares) / HIDDEN + NORM_EPS)");
        code.ShouldContain("x / (1.0f + expf(-x))");
        code.ShouldNotContain("bias");
        code.ShouldNotContain("position_table");
        code.ShouldNotContain("mean");
    }

    [Fact]
    public void Qwen2_kernels_add_q_k_v_biases_but_no_output_bias()
    {
        var kernels = KernelEmitter.Emit(FixtureSpecs.Qwen2Llama3);

        kernels[KernelNames.QkvEpilogue].Parameters.Select(p => p.Name).ShouldContain("qkv_bias");
        kernels[KernelNames.KvRecomputeEpilogue].Parameters.Select(p => p.Name).ShouldContain("kv_bias");
        kernels.Kernels.Select(k => k.Name).ShouldNotContain(KernelNames.ResidualAddBias);
    }

    [Theory]
    [MemberData(nameof(FixtureSpecs.All), MemberType = typeof(FixtureSpecs))]
    public void Braces_brackets_and_parentheses_balance(string model)
    {
        string code = CudaDeclarations.StripComments(KernelEmitter.Emit(FixtureSpecs.Get(model)).Source);
        code = System.Text.RegularExpressions.Regex.Replace(code, "\"[^\"\\n]*\"", "\"\"");

        foreach (var (open, close) in new[] { ('{', '}'), ('(', ')'), ('[', ']') })
        {
            int depth = 0;
            foreach (char c in code)
            {
                depth += c == open ? 1 : c == close ? -1 : 0;
                depth.ShouldBeGreaterThanOrEqualTo(0, $"'{close}' without '{open}'");
            }

            depth.ShouldBe(0, $"unclosed '{open}'");
        }
    }

    [Theory]
    [MemberData(nameof(FixtureSpecs.All), MemberType = typeof(FixtureSpecs))]
    public void Source_is_ascii_so_any_compiler_reads_it(string model)
    {
        string source = KernelEmitter.Emit(FixtureSpecs.Get(model)).Source;
        source.Where(c => c > 127 || (c < 32 && c != '\n')).ShouldBeEmpty();
    }

    [Fact]
    public void Every_kernel_is_introduced_by_what_it_computes_and_its_launch_shape()
    {
        var kernels = KernelEmitter.Emit(FixtureSpecs.LlamaTinyGqa);
        var lines = kernels.Source.Split('\n');

        foreach (var signature in kernels.Kernels)
        {
            int declaration = Array.FindIndex(lines, l => l.StartsWith("extern \"C\"", StringComparison.Ordinal) && l.Contains($" {signature.Name}(", StringComparison.Ordinal));
            lines[declaration - 1].ShouldBe($"// Launch: {signature.Launch}.");
            lines.Take(declaration).Last(l => l.StartsWith($"// {signature.Name}: ", StringComparison.Ordinal)).ShouldNotBeNull();
        }
    }

    [Fact]
    public void Content_hash_is_the_sha256_of_the_utf8_source()
    {
        var kernels = KernelEmitter.Emit(FixtureSpecs.OptTiny);
        kernels.ContentHash.ShouldBe(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(kernels.Source))));
    }

    [Fact]
    public void Content_hash_changes_when_a_constant_changes()
    {
        var spec = FixtureSpecs.LlamaTiny;
        var hashes = new[]
        {
            spec,
            spec with { RopeTheta = 500000 },
            spec with { NormEps = 1e-6 },
            spec with { Vocab = 513 },
            spec with { KvHeads = 2 },
        }.Select(s => KernelEmitter.Emit(s).ContentHash).ToArray();

        hashes.ShouldBeUnique();
    }

    [Fact]
    public void Bfloat16_models_compute_on_nv_bfloat16()
    {
        string bf16 = KernelEmitter.Emit(FixtureSpecs.LlamaTiny with { WeightType = WeightType.BFloat16 }).Source;
        string fp16 = KernelEmitter.Emit(FixtureSpecs.LlamaTiny).Source;

        bf16.ShouldContain("#include <cuda_bf16.h>");
        bf16.ShouldContain("typedef __nv_bfloat16 elem_t;");
        bf16.ShouldNotContain("cuda_fp16.h");
        fp16.ShouldContain("#include <cuda_fp16.h>");
        fp16.ShouldContain("typedef __half elem_t;");
        fp16.ShouldNotContain("bfloat16");
    }

    [Fact]
    public void An_invalid_model_is_refused_with_each_problem_named()
    {
        var spec = ModelSpec.Llama("broken", hidden: 4096, layers: 2, heads: 30, kvHeads: 7, ffnHidden: 1024);

        var error = Should.Throw<KernelEmitException>(() => KernelEmitter.Emit(spec));

        error.Errors.ShouldContain(e => e.Code == ErrorCodes.HeadsDoNotDivideHidden && e.Field == "Heads");
        error.Errors.ShouldContain(e => e.Code == ErrorCodes.KvHeadsDoNotDivideHeads && e.Field == "KvHeads");
        error.Message.ShouldContain("'broken'");
        error.Message.ShouldContain(ErrorCodes.HeadsDoNotDivideHidden);
    }

    [Fact]
    public void A_query_narrower_than_the_model_is_refused_naming_both_widths()
    {
        var spec = FixtureSpecs.LlamaTiny with { Heads = FixtureSpecs.LlamaTiny.Heads / 2, KvHeads = FixtureSpecs.LlamaTiny.KvHeads / 2, HeadDim = FixtureSpecs.LlamaTiny.HeadDim };

        var error = Should.Throw<KernelEmitException>(() => KernelEmitter.Emit(spec));

        error.Errors.ShouldContain(e => e.Code == ErrorCodes.UnsupportedHeadDim && e.Field == nameof(ModelSpec.HeadDim));
        error.Message.ShouldContain($"'{spec.Name}'");
        error.Message.ShouldContain($"Hidden ({spec.Hidden})");
        error.Message.ShouldContain($"query width of {spec.QueryDim}");
    }

    [Fact]
    public void Unknown_entry_point_names_the_ones_that_exist()
    {
        var kernels = KernelEmitter.Emit(FixtureSpecs.LlamaTiny);

        var error = Should.Throw<KeyNotFoundException>(() => kernels[KernelNames.ResidualAddBias]);

        error.Message.ShouldContain("residual_add_bias");
        error.Message.ShouldContain("residual_add,");
        kernels.Contains(KernelNames.ResidualAdd).ShouldBeTrue();
    }

    private static float ParseFloat(string literal) =>
        float.Parse(literal.TrimEnd('f'), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture);
}
