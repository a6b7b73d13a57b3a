using System.CommandLine;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace Kvpr.Cli.Tests;

public class PlanCommandTests
{
    private static (int ExitCode, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exitCode = Program.CreateRootCommand().Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }

    [Fact]
    public void Json_has_one_entry_per_decode_step_with_the_split_and_both_floors()
    {
        var (exitCode, output, error) = Run("plan", "--model", "opt-6.7b", "--batch", "32", "--prompt", "1024", "--new-tokens", "5",
            "--gpu-memory", "16000000000", "--json");

        error.ShouldBeEmpty();
        exitCode.ShouldBe(0);
        using var json = JsonDocument.Parse(output);
        var steps = json.RootElement.GetProperty("steps").EnumerateArray().ToArray();
        steps.Select(s => s.GetProperty("length").GetInt32()).ShouldBe(new[] { 1024, 1025, 1026, 1027, 1028 });
        foreach (var step in steps)
        {
            int l = step.GetProperty("recomputeTokens").GetInt32();
            l.ShouldBeInRange(1, step.GetProperty("length").GetInt32());
            double predicted = step.GetProperty("predictedStepMs").GetDouble();
            predicted.ShouldBeLessThan(step.GetProperty("floorAllKvMs").GetDouble());
            predicted.ShouldBeGreaterThan(step.GetProperty("floorAllRecomputeMs").GetDouble());
        }
        // 17.18 GB of KV over the H100's ~54.3 GB/s link.
        steps[0].GetProperty("floorAllKvMs").GetDouble().ShouldBe(316.4, 3);
        json.RootElement.GetProperty("residency").GetProperty("kvResidentLayers").GetInt32().ShouldBe(0);
    }

    [Fact]
    public void Text_output_lists_every_step_with_residency_and_says_the_profile_is_the_default()
    {
        var (exitCode, output, _) = Run("plan", "--model", "opt-1.3b", "--batch", "4", "--prompt", "100", "--new-tokens", "3");

        exitCode.ShouldBe(0);
        output.ShouldContain("embedded default profile");
        output.ShouldContain("Residency: KV cache of all 24 layers on the GPU; weights of all 24 layers on the GPU.");
        var lines = output.Split('\n');
        foreach (int length in new[] { 100, 101, 102 })
            lines.ShouldContain(line => line.StartsWith($"{length} ") && line.Contains("24/24"));
    }

    [Fact]
    public void Throughput_plans_report_per_token_time_for_the_micro_batch_group()
    {
        var (exitCode, output, _) = Run("plan", "--model", "opt-6.7b", "--batch", "8", "--prompt", "512", "--new-tokens", "2",
            "--objective", "throughput", "--micro-batches", "4", "--gpu-memory", "16000000000", "--json");

        exitCode.ShouldBe(0);
        using var json = JsonDocument.Parse(output);
        json.RootElement.GetProperty("objective").GetString().ShouldBe("throughput");
        json.RootElement.GetProperty("microBatches").GetInt32().ShouldBe(4);
        double total = json.RootElement.GetProperty("steps").EnumerateArray().Sum(s => s.GetProperty("predictedStepMs").GetDouble());
        json.RootElement.GetProperty("predictedMsPerToken").GetDouble().ShouldBe(total / (2 * 8 * 4), 1e-9);
    }

    [Fact]
    public void Throughput_with_zero_micro_batches_splits_the_batch_into_the_planners_micro_batches()
    {
        var (exitCode, output, error) = Run("plan", "--model", "opt-30b", "--batch", "64", "--prompt", "512", "--new-tokens", "32",
            "--objective", "throughput", "--micro-batches", "0", "--gpu-memory", "40e9", "--json");

        exitCode.ShouldBe(0, error);
        using var json = JsonDocument.Parse(output);
        int microBatches = json.RootElement.GetProperty("microBatches").GetInt32(), batch = json.RootElement.GetProperty("batch").GetInt32();
        (microBatches * batch).ShouldBe(64);
        // 60 GB of weights under a 40 GB cap: some layers stream.
        json.RootElement.GetProperty("residency").GetProperty("weightResidentLayers").GetInt32().ShouldBeLessThan(48);
        json.RootElement.GetProperty("gpuBytes").GetInt64().ShouldBeLessThanOrEqualTo(40_000_000_000);
    }

    [Fact]
    public void Trace_holds_one_simulated_step_per_decode_step_close_to_the_prediction()
    {
        string path = Path.Combine(Path.GetTempPath(), $"kvpr-plan-{System.Guid.NewGuid():N}.trace.json");
        try
        {
            var (exitCode, output, _) = Run("plan", "--model", "opt-6.7b", "--batch", "32", "--prompt", "1024", "--new-tokens", "2",
                "--gpu-memory", "16000000000", "--json", "--trace", path);
            exitCode.ShouldBe(0);
            using var plan = JsonDocument.Parse(output);
            using var trace = JsonDocument.Parse(File.ReadAllText(path));
            var events = trace.RootElement.GetProperty("traceEvents").EnumerateArray().Where(e => e.GetProperty("ph").GetString() == "X").ToArray();
            var steps = plan.RootElement.GetProperty("steps").EnumerateArray().ToArray();
            events.Select(e => e.GetProperty("pid").GetInt32()).Distinct().ShouldBe(new[] { 0, 1 });
            for (int step = 0; step < steps.Length; step++)
            {
                var ofStep = events.Where(e => e.GetProperty("pid").GetInt32() == step).ToArray();
                double microseconds = ofStep.Max(e => e.GetProperty("ts").GetDouble() + e.GetProperty("dur").GetDouble()) - ofStep.Min(e => e.GetProperty("ts").GetDouble());
                double predicted = steps[step].GetProperty("predictedStepMs").GetDouble();
                (microseconds / 1000).ShouldBe(predicted, predicted * 0.02);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Lp_writes_the_residency_program_as_cplex_lp_text()
    {
        string path = Path.Combine(Path.GetTempPath(), $"kvpr-plan-{System.Guid.NewGuid():N}.lp");
        try
        {
            var (exitCode, _, _) = Run("plan", "--model", "opt-6.7b", "--batch", "32", "--prompt", "1024", "--new-tokens", "2",
                "--gpu-memory", "20000000000", "--lp", path);
            exitCode.ShouldBe(0);
            string text = File.ReadAllText(path);
            text.ShouldStartWith(@"\* Problem: residency_");
            text.ShouldContain("Minimize");
            text.ShouldContain("gpu_memory:");
            text.ShouldContain("kv_resident_layers");
            text.TrimEnd().ShouldEndWith("End");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void An_unwritable_output_file_is_one_error()
    {
        string path = Path.Combine(Path.GetTempPath(), $"kvpr-missing-{System.Guid.NewGuid():N}", "plan.lp");
        var (exitCode, output, error) = Run("plan", "--model", "opt-125m", "--batch", "1", "--prompt", "8", "--new-tokens", "1", "--lp", path);
        exitCode.ShouldBe(1);
        output.ShouldBeEmpty();
        error.ShouldContain($"Could not write the linear program to '{path}'");
    }

    [Theory]
    [InlineData("Unknown model 'gpt-9'", "plan", "--model", "gpt-9", "--batch", "1", "--prompt", "8", "--new-tokens", "1")]
    [InlineData("is neither a stored profile", "plan", "--model", "opt-125m", "--profile", "no-such.hwprofile.json", "--batch", "1", "--prompt", "8", "--new-tokens", "1")]
    [InlineData("KVPR008", "plan", "--model", "opt-6.7b", "--batch", "32", "--prompt", "1024", "--new-tokens", "8", "--gpu-memory", "1000000000")]
    [InlineData("KVPR009", "plan", "--model", "opt-125m", "--batch", "1", "--prompt", "2000", "--new-tokens", "100")]
    [InlineData("--micro-batches 4 needs --objective throughput", "plan", "--model", "opt-125m", "--batch", "1", "--prompt", "8", "--new-tokens", "1", "--micro-batches", "4")]
    [InlineData("--gpus 2: hardware profile 'h100-sxm-pcie5' describes 1 GPU", "plan", "--model", "opt-125m", "--batch", "1", "--prompt", "8", "--new-tokens", "1", "--gpus", "2")]
    [InlineData("--gpus '1,two': 'two' is not a GPU count", "plan", "--model", "opt-125m", "--batch", "1", "--prompt", "8", "--new-tokens", "1", "--gpus", "1,two")]
    [InlineData("--gpus '0': '0' is not a GPU count", "plan", "--model", "opt-125m", "--batch", "1", "--prompt", "8", "--new-tokens", "1", "--gpus", "0")]
    [InlineData("--gpus '2,2' lists 2 twice", "plan", "--model", "opt-125m", "--profile", "h100-sxm-x8-assumed", "--batch", "1", "--prompt", "8", "--new-tokens", "1", "--gpus", "2,2")]
    [InlineData("--lp, --trace and --micro-batches are for the one-GPU plan", "plan", "--model", "opt-125m", "--profile", "h100-sxm-x8-assumed", "--batch", "1", "--prompt", "8", "--new-tokens", "1", "--gpus", "2", "--lp", "x.lp")]
    public void Errors_are_one_message_on_stderr_and_exit_code_1(string expected, params string[] args)
    {
        var (exitCode, output, error) = Run(args);

        exitCode.ShouldBe(1);
        output.ShouldBeEmpty();
        error.ShouldContain(expected);
        error.Trim().Split('\n').Length.ShouldBe(1);
    }

    [Fact]
    public void Gpus_prints_one_row_per_count_with_its_best_layout_and_every_layout_weighed()
    {
        var (exitCode, output, error) = Run("plan", "--model", "opt-13b", "--profile", "h100-sxm-x8-assumed", "--batch", "32", "--prompt", "1024",
            "--new-tokens", "2", "--offload-kv", "--gpus", "1,2,4,8");

        error.ShouldBeEmpty();
        exitCode.ShouldBe(0);
        var lines = output.Split('\n');
        lines[0].ShouldContain("batch 32 over all GPUs");
        lines[0].ShouldContain("Predictions, not measurements.");
        lines[1].ShouldStartWith("GPUs  layout");
        foreach (var (row, gpus) in new[] { (2, "1 "), (3, "2 "), (4, "4 "), (5, "8 ") })
            lines[row].ShouldStartWith(gpus);
        lines[2].ShouldContain("1 GPU");
        lines[2].ShouldContain("1.00x");
        lines.ShouldContain("Layouts weighed:");
        lines.Count(l => l.StartsWith("  TP 2 × DP 4 ")).ShouldBe(1);
    }

    [Fact]
    public void Gpus_json_lists_every_layout_with_its_figures_or_why_it_is_excluded()
    {
        var (exitCode, output, error) = Run("plan", "--model", "opt-13b", "--profile", "h100-sxm-x8-assumed", "--batch", "4", "--prompt", "512",
            "--new-tokens", "2", "--offload-kv", "--gpus", "8", "--json");

        error.ShouldBeEmpty();
        exitCode.ShouldBe(0);
        using var json = JsonDocument.Parse(output);
        var plan = json.RootElement.GetProperty("plans").EnumerateArray().Single();
        plan.GetProperty("gpus").GetInt32().ShouldBe(8);
        var layouts = plan.GetProperty("layouts").EnumerateArray().ToDictionary(l => l.GetProperty("layout").GetString()!);
        layouts.Keys.ShouldBe(new[] { "TP 8", "TP 4 × DP 2", "TP 2 × DP 4", "DP 8" });
        layouts["DP 8"].GetProperty("excluded").GetString().ShouldBe("data parallel over 8: batch 4 gives some of the 8 groups no sequence.");
        layouts["TP 8"].GetProperty("aggregateLinkGBps").GetDouble().ShouldBeGreaterThan(layouts["TP 8"].GetProperty("linkGBpsPerGpu").GetDouble());
        plan.GetProperty("best").GetString().ShouldBeOneOf("TP 8", "TP 4 × DP 2", "TP 2 × DP 4");
    }

    [Fact]
    public void Gpus_that_no_layout_can_serve_print_every_reason_and_fail()
    {
        var (exitCode, output, error) = Run("plan", "--model", "opt-13b", "--profile", "h100-sxm-x8-assumed", "--batch", "1", "--prompt", "512",
            "--new-tokens", "2", "--gpus", "1,3", "--host-memory", "2000000000");

        exitCode.ShouldBe(1);
        error.Trim().ShouldBe("No layout of 1, 3 GPUs can run the workload; each layout's reason is printed with it.");
        output.ShouldContain("  TP 3: excluded: tensor parallel over 3: Heads (40) is not divisible by 3");
        output.ShouldContain("  DP 3: excluded: data parallel over 3: batch 1 gives some of the 3 groups no sequence.");
        output.ShouldContain("  1 GPU: excluded: GPU 0: ");
        output.ShouldContain("of host memory");
    }

    private const string LlamaConfig = """
        {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 256, "intermediate_size": 512,
         "num_hidden_layers": 3, "num_attention_heads": 4, "num_key_value_heads": 2, "vocab_size": 1000,
         "max_position_embeddings": 512, "rms_norm_eps": 1e-6, "rope_theta": 10000.0, "tie_word_embeddings": false}
        """;

    [Fact]
    public void A_hugging_face_config_or_its_folder_is_planned_under_the_folder_name()
    {
        var folder = Directory.CreateTempSubdirectory("kvpr-plan-");
        var checkpoint = folder.CreateSubdirectory("my-llama");
        File.WriteAllText(Path.Combine(checkpoint.FullName, "config.json"), LlamaConfig);
        try
        {
            foreach (string model in new[] { checkpoint.FullName, Path.Combine(checkpoint.FullName, "config.json") })
            {
                var (exitCode, output, error) = Run("plan", "--model", model, "--batch", "2", "--prompt", "16", "--new-tokens", "2");
                error.ShouldBeEmpty();
                exitCode.ShouldBe(0);
                output.ShouldContain("Plan for my-llama");
                output.ShouldContain("KV cache of all 3 layers on the GPU");
            }
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void An_unsupported_config_is_one_error_naming_the_file()
    {
        var folder = Directory.CreateTempSubdirectory("kvpr-plan-");
        string config = Path.Combine(folder.FullName, "config.json");
        File.WriteAllText(config, LlamaConfig.Replace("LlamaForCausalLM", "GPT2LMHeadModel"));
        try
        {
            var (exitCode, _, error) = Run("plan", "--model", config, "--batch", "2", "--prompt", "16", "--new-tokens", "2");
            exitCode.ShouldBe(1);
            error.ShouldContain(ErrorCodes.UnsupportedModelConfig);
            error.ShouldContain(config);
            error.ShouldContain("GPT2LMHeadModel");
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void A_malformed_profile_file_is_named_in_the_error()
    {
        string path = Path.Combine(Path.GetTempPath(), $"kvpr-plan-{System.Guid.NewGuid():N}.hwprofile.json");
        File.WriteAllText(path, "{\"format\": \"kvpr-hwprofile/1\"}");
        try
        {
            var (exitCode, _, error) = Run("plan", "--model", "opt-125m", "--profile", path, "--batch", "1", "--prompt", "8", "--new-tokens", "1");
            exitCode.ShouldBe(1);
            error.ShouldContain(path);
            error.ShouldContain("name");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("plan", "--model", "opt-6.7b", "--batch", "8", "--prompt", "128", "--new-tokens", "2")]
    [InlineData("run")]
    [InlineData("bench", "--model", "opt-6.7b", "--dry-run")]
    public void A_cpu_attention_that_is_neither_off_auto_nor_a_fraction_is_refused_naming_the_option(params string[] command)
    {
        foreach (string value in new[] { "half", "1.5", "-0.1" })
        {
            var (exitCode, _, error) = Run(command.Concat(new[] { "--cpu-attention", value }).ToArray());

            exitCode.ShouldBe(1);
            error.ShouldContain($"--cpu-attention must be off, auto or a fraction in [0, 1], but is '{value}'.");
        }
    }

    /// <summary>A profile file of the H100 that measured the host's side of CPU attention.</summary>
    private static string HostProfileFile()
    {
        string path = Path.Combine(Path.GetTempPath(), $"kvpr-host-{System.Guid.NewGuid():N}{HardwareProfileFormat.FileSuffix}");
        File.WriteAllText(path, HardwareProfileFormat.Write(HardwareProfiles.Default with
        {
            Name = "h100-host", HostMemoryReadBytesPerSecond = 150e9, HostAttentionBytesPerSecond = 105e9,
        }));
        return path;
    }

    [Fact]
    public void A_cpu_share_shows_in_every_step_as_its_floor_of_the_stored_tokens()
    {
        string profile = HostProfileFile();
        try
        {
            var (exitCode, output, error) = Run("plan", "--model", "opt-6.7b", "--batch", "32", "--prompt", "1024", "--new-tokens", "3",
                "--gpu-memory", "20e9", "--profile", profile, "--cpu-attention", "0.3", "--json");

            exitCode.ShouldBe(0, error);
            using var json = JsonDocument.Parse(output);
            foreach (var step in json.RootElement.GetProperty("steps").EnumerateArray())
            {
                int length = step.GetProperty("length").GetInt32(), host = step.GetProperty("hostTokens").GetInt32();
                host.ShouldBe(length * 3 / 10);
                (step.GetProperty("recomputeTokens").GetInt32() + step.GetProperty("transferredTokens").GetInt32() + host).ShouldBe(length);
            }
        }
        finally
        {
            File.Delete(profile);
        }
    }

    [Theory]
    [InlineData("--cpu-attention 0.3 is not possible: hardware profile 'h100-sxm-pcie5' has not measured the host's memory read bandwidth", "opt-6.7b", "0.3", false)]
    [InlineData("--cpu-attention auto is not possible: model 'mistral-7b' attends through a sliding window", "mistral-7b", "auto", true)]
    public void A_cpu_share_that_cannot_be_planned_is_refused_with_the_reason(string expected, string model, string cpuAttention, bool measuredProfile)
    {
        string profile = HostProfileFile();
        try
        {
            var (exitCode, output, error) = Run("plan", "--model", model, "--batch", "8", "--prompt", "128", "--new-tokens", "2",
                "--profile", measuredProfile ? profile : HardwareProfiles.DefaultName, "--cpu-attention", cpuAttention);

            exitCode.ShouldBe(1);
            output.ShouldBeEmpty();
            error.ShouldContain(expected);
        }
        finally
        {
            File.Delete(profile);
        }
    }
}
