using System;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Xml.Linq;
using Kvpr.Cli.Bench;
using Kvpr.Planning;

namespace Kvpr.Cli.Tests;

public class BenchCommandTests
{
    private static readonly HardwareProfile H100 = HardwareProfiles.Resolve(HardwareProfiles.DefaultName);

    private static (int ExitCode, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exitCode = Program.CreateRootCommand().Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }

    /// <summary>OPT-6.7B at s' = 1024 only: a run of 2 new tokens has one decode step.</summary>
    private static BenchPlan Opt67OneStep(BenchMode mode) => BenchPlan.Create(BenchCase.Create(ModelCatalog.Get("opt-6.7b"), 32, 1024, 2), mode, H100);

    [Fact]
    public void Mode_e_carries_a_cpu_share_into_its_split_and_predicted_steps_and_the_other_modes_plan_without_one()
    {
        var measured = H100 with { Name = "h100-host", HostMemoryReadBytesPerSecond = 150e9, HostAttentionBytesPerSecond = 105e9 };
        var workload = BenchCase.Create(ModelCatalog.Get("opt-6.7b"), 32, 1024, 2);
        var plan = BenchPlan.Create(workload, BenchMode.CpuAttention, measured, CpuAttentionMode.Share(0.25));

        plan.Predicted.ShouldAllBe(step => step.Shape.HostTokens == step.Shape.Length / 4);
        plan.Split.Decide(new SplitRequest(1, 0, 32, 1024)).HostTokens.ShouldBe(256);
        // The three-resource floor: the link's bytes and, at the host's read bandwidth, those plus the CPU's.
        plan.FloorMs.ShouldBe(System.Math.Max(plan.TransferFloorMs, plan.HostMemoryFloorMs));
        plan.HostMemoryFloorMs.ShouldBeGreaterThan(0);
        foreach (var other in new[] { BenchMode.TransferAll, BenchMode.Planned })
            BenchPlan.Create(workload, other, measured, CpuAttentionMode.Share(0.25)).Split.Decide(new SplitRequest(1, 0, 32, 1024)).HostTokens.ShouldBe(0);
    }

    [Fact]
    public void Mode_e_with_a_profile_that_has_not_measured_the_host_is_skipped_with_the_reason()
    {
        var (exitCode, _, error) = Run("bench", "--model", "opt-1.3b", "--batch", "4", "--prompt", "64", "--new-tokens", "8", "--modes", "c,e", "--dry-run", "--device", "cpu");

        exitCode.ShouldBe(0, error);
        error.ShouldContain("mode (e) is skipped");
    }

    [Fact]
    public void A_dry_run_under_a_gpu_cap_plans_opt_30b_with_streamed_weights_and_predicts_generation_throughput()
    {
        var (exitCode, output, error) = Run("bench", "--model", "opt-30b", "--batch", "64", "--prompt", "512", "--new-tokens", "32",
            "--gpu-memory", "40e9", "--objective", "throughput", "--modes", "c", "--dry-run", "--device", "cpu");

        exitCode.ShouldBe(0, error);
        output.ShouldContain("gen tok/s");
        var row = output.Split('\n').Single(line => line.StartsWith("opt-30b batch "));
        row.ShouldContain("cap 40 GB");
        // 60 GB of weights cannot stay under a 40 GB cap: the plan streams some layers' weights.
        int weightResident = int.Parse(row.Split(' ', StringSplitOptions.RemoveEmptyEntries)[^2]);
        weightResident.ShouldBeInRange(1, 47);
    }

    [Fact]
    public void A_throughput_case_splits_the_sequences_into_the_micro_batches_that_generate_fastest()
    {
        var spec = ModelCatalog.Get("opt-30b");
        var chosen = BenchCase.ForThroughput(spec, H100, 64, 512, 32, 40_000_000_000);
        chosen.Sequences.ShouldBe(64);
        double Seconds(BenchCase c) => DecodePlanner.PredictedGenerationSeconds(spec, H100, DecodePlanner.Plan(spec, H100, c.Workload).GetPlanOrThrow());
        foreach (int microBatches in new[] { 1, 2, 4, 8, 16, 32, 64 })
        {
            var other = BenchCase.Create(spec, 64 / microBatches, 512, 32, microBatches, 40_000_000_000);
            var plan = DecodePlanner.Plan(spec, H100, other.Workload);
            if (plan.Succeeded)
                Seconds(chosen).ShouldBeLessThanOrEqualTo(Seconds(other) * (1 + 1e-9), $"{microBatches} micro-batches");
        }
    }

    [Fact]
    public void Percentiles_interpolate_between_ranks_like_numpy()
    {
        // numpy.percentile([1..10], 50) = 5.5, (…, 90) = 9.1
        var summary = StepTimeSummary.Of(new double[] { 10, 3, 1, 2, 9, 4, 5, 8, 6, 7 });

        summary.MeanMs.ShouldBe(5.5, 1e-12);
        summary.P50Ms.ShouldBe(5.5, 1e-12);
        summary.P90Ms.ShouldBe(9.1, 1e-12);
        summary.Steps.ShouldBe(10);
    }

    [Fact]
    public void Transfer_all_moves_every_layers_kv_and_its_floor_is_the_issues_316_ms()
    {
        var plan = Opt67OneStep(BenchMode.TransferAll);

        // 32 layers × K and V × 32 sequences × 1024 tokens × 4096 × 2 bytes = 17.18 GB over the ~54.4 GB/s link.
        plan.HostToDeviceBytesPerStep.ShouldBe(2.0 * 32 * 32 * 1024 * 4096 * 2);
        plan.TransferFloorMs.ShouldBe(316, 2);
        plan.MeanRecomputeTokens.ShouldBe(0);
        plan.Residency.KvResidentLayers.ShouldBe(0);
    }

    [Fact]
    public void Planned_split_moves_activations_of_the_recomputed_tokens_and_kv_of_the_rest()
    {
        var planned = Opt67OneStep(BenchMode.Planned);
        int l = (int)planned.MeanRecomputeTokens;

        l.ShouldBeInRange(1, 1024);
        planned.HostToDeviceBytesPerStep.ShouldBe(32.0 * 32 * (l * 4096 * 2 + 2.0 * (1024 - l) * 4096 * 2));
        planned.TransferFloorMs.ShouldBeLessThan(Opt67OneStep(BenchMode.TransferAll).TransferFloorMs);
        // Never below moving only activations: 8.6 GB, the issue's 158 ms.
        planned.TransferFloorMs.ShouldBeGreaterThan(157);
    }

    [Fact]
    public void Resident_floor_reads_every_weight_and_the_kv_once_at_memory_bandwidth()
    {
        var plan = Opt67OneStep(BenchMode.Resident);
        const double h = 4096, ffn = 16384;
        double layerParameters = 4 * (h * h + h) + (h * ffn + ffn) + (ffn * h + h) + 4 * h;
        double outerParameters = 50272 * h + (2048 + 2) * h + 2 * h;
        double bytes = 2 * (32 * layerParameters + outerParameters) + 2.0 * 32 * 32 * 1024 * 4096 * 2;

        plan.HostToDeviceBytesPerStep.ShouldBe(0);
        plan.FloorMs.ShouldBe(bytes / H100.DeviceMemoryBytesPerSecond * 1e3, 1e-9);
        plan.FitsOnDevice.ShouldBeTrue();
    }

    [Fact]
    public void A_prompt_of_all_the_models_positions_widens_them_for_the_new_tokens()
    {
        var workload = BenchCase.Create(ModelCatalog.Get("opt-6.7b"), 8, 2048, 32);

        workload.Spec.MaxPositions.ShouldBe(2080);
        workload.DecodeSteps.ShouldBe(31);
        workload.LengthAt(1).ShouldBe(2048);
        BenchCase.IssueSuite().Select(c => c.ToString()).ShouldBe(new[]
        {
            "opt-6.7b batch 32 prompt 1024 +32", "opt-6.7b batch 8 prompt 2048 +32", "opt-6.7b batch 64 prompt 1024 +32", "opt-13b batch 32 prompt 1024 +32",
        });
    }

    [Fact]
    public void Cpu_run_times_every_mode_and_counts_the_bytes_each_moved()
    {
        string file = Path.Combine(Path.GetTempPath(), $"kvpr-bench-{Guid.NewGuid():N}.json");
        try
        {
            var (exitCode, output, _) = Run("bench", "--device", "cpu", "--model", "kvpr-tiny", "--batch", "2", "--prompt", "16",
                "--new-tokens", "9", "--generations", "2", "--out", file);

            exitCode.ShouldBe(0);
            output.ShouldContain("(c) offloaded, planned split");
            output.ShouldContain("kvpr-tiny batch 2 prompt 16 +9 (c): first token ");
            using var json = JsonDocument.Parse(File.ReadAllText(file));
            var rows = json.RootElement.GetProperty("results").EnumerateArray().ToDictionary(r => r.GetProperty("mode").GetString()!);
            rows.Keys.OrderBy(k => k).ShouldBe(new[] { "a", "b", "c" });
            foreach (var row in rows.Values)
            {
                var steps = row.GetProperty("msPerStep");
                steps.GetProperty("steps").GetInt32().ShouldBe(3); // 8 decode steps: 2 warm-up, 3 timed, 3 recording the timeline
                steps.GetProperty("p50").GetDouble().ShouldBeGreaterThan(0);
                row.GetProperty("tokensPerSecond").GetDouble().ShouldBe(2 * 1e3 / steps.GetProperty("mean").GetDouble(), 1e-6);
                // The second generation on the engine: its first token's time, against the predicted prefill.
                double second = row.GetProperty("laterPrefillMs").EnumerateArray().ShouldHaveSingleItem().GetDouble();
                second.ShouldBeGreaterThan(0);
                row.GetProperty("secondPrefillOverPredicted").GetDouble().ShouldBe(second / row.GetProperty("predictedPrefillMs").GetDouble(), 1e-9);
                // One more generation recorded its prefill: the node kinds' busy times are the streams' split another way.
                var prefill = row.GetProperty("recordedPrefill");
                double span = prefill.GetProperty("deviceSpanMs").GetDouble();
                span.ShouldBeInRange(1e-6, prefill.GetProperty("firstTokenMs").GetDouble());
                prefill.GetProperty("chunks").GetInt32().ShouldBe(1);
                double streamBusy = prefill.GetProperty("streamBusyMs").EnumerateObject().Sum(p => p.Value.GetDouble());
                prefill.GetProperty("opBusyMs").EnumerateObject().Sum(p => p.Value.GetDouble()).ShouldBe(streamBusy, 1e-6);
                streamBusy.ShouldBeLessThanOrEqualTo(span + 1e-6); // the CPU backend runs one node at a time
                prefill.GetProperty("opBusyMs").GetProperty("AttentionBlock").GetDouble().ShouldBeGreaterThan(0);
                row.GetProperty("secondFirstTokenOverDeviceSpan").GetDouble().ShouldBe(second / span, 1e-9);
                row.GetProperty("secondFirstTokenOverComputeAndStore").GetDouble().ShouldBe(
                    second / (prefill.GetProperty("computeBusyMs").GetDouble() + prefill.GetProperty("storeBusyMs").GetDouble()), 1e-9);
            }
            output.ShouldContain("kvpr-tiny batch 2 prompt 16 +9 (c): a later generation's prefill on the device");
            // Offloaded KV is written back in the prefill; resident KV is not.
            rows["c"].GetProperty("recordedPrefill").GetProperty("opBusyMs").GetProperty("StoreNewToken").GetDouble().ShouldBeGreaterThan(0);
            rows["a"].GetProperty("recordedPrefill").GetProperty("storeBusyMs").GetDouble().ShouldBe(0);
            // Timed steps see s' = 18, 19, 20. (a) keeps KV on the device; (b) moves K and V of 4 layers, 2 sequences,
            // 256 wide, 4 bytes an element on the CPU backend.
            rows["a"].GetProperty("hostToDeviceBytesPerStep").GetDouble().ShouldBe(0);
            rows["b"].GetProperty("hostToDeviceBytesPerStep").GetDouble().ShouldBe(4.0 * 2 * 2 * 19 * 256 * 4);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Cpu_run_writes_the_measured_step_next_to_the_predicted_one_and_reports_each_streams_busy_share()
    {
        string folder = Path.Combine(Path.GetTempPath(), $"kvpr-bench-{Guid.NewGuid():N}");
        string file = folder + ".json";
        try
        {
            var (exitCode, _, error) = Run("bench", "--device", "cpu", "--model", "kvpr-tiny", "--batch", "2", "--prompt", "16",
                "--new-tokens", "7", "--modes", "b,c", "--trace-dir", folder, "--out", file);

            exitCode.ShouldBe(0, error);
            foreach (string mode in new[] { "b", "c" })
            {
                string name = Path.Combine(folder, $"kvpr-tiny-b2-p16-{mode}");
                var measured = Kvpr.Json.JsonParser.Parse(File.ReadAllText(name + ".measured.trace.json"), name + ".measured.trace.json").Required("traceEvents").Items;
                var predicted = Kvpr.Json.JsonParser.Parse(File.ReadAllText(name + ".predicted.trace.json"), name + ".predicted.trace.json").Required("traceEvents").Items;
                ThreadNames(measured).ShouldBe(ThreadNames(predicted));
                var nodes = measured.Where(e => e.Required("ph").AsString() == "X").ToArray();
                nodes.Select(e => e.Required("name").AsString()).ShouldContain("AttentionBlock L3");
                nodes.ShouldAllBe(e => e.Required("ts").AsNumber() >= 0 && e.Required("dur").AsNumber() >= 0);
                XDocument.Load(name + ".measured.svg").Root!.Name.LocalName.ShouldBe("svg");
            }
            using var json = JsonDocument.Parse(File.ReadAllText(file));
            foreach (var row in json.RootElement.GetProperty("results").EnumerateArray())
            {
                var shares = row.GetProperty("streamBusyShare");
                shares.EnumerateObject().Select(p => p.Name).ShouldBe(new[] { "Compute", "HostToDevice", "DeviceToHost" }, ignoreOrder: true);
                // The CPU backend runs one node at a time, so the streams' shares add up to at most the whole step.
                shares.EnumerateObject().Sum(p => p.Value.GetDouble()).ShouldBeInRange(0.01, 1.0);
                row.GetProperty("gpuBusyShare").GetDouble().ShouldBe(shares.GetProperty("Compute").GetDouble());
                row.GetProperty("deviceStepMs").GetDouble().ShouldBeLessThanOrEqualTo(row.GetProperty("recordedStepMs").GetDouble());
            }
        }
        finally
        {
            File.Delete(file);
            if (Directory.Exists(folder))
                Directory.Delete(folder, recursive: true);
        }
    }

    private static string[] ThreadNames(System.Collections.Generic.IEnumerable<Kvpr.Json.JsonNode> events) => events
        .Where(e => e.Required("name").AsString() == "thread_name")
        .Select(e => e.Required("args").Required("name").AsString())
        .ToArray();

    [Fact]
    public void Dry_run_writes_predicted_traces_and_svg_timelines_and_joins_the_hugging_face_baseline()
    {
        string folder = Path.Combine(Path.GetTempPath(), $"kvpr-bench-{Guid.NewGuid():N}");
        string hf = folder + ".jsonl";
        try
        {
            File.WriteAllLines(hf, new[]
            {
                """{"mode": "d", "cache": "offloaded", "model": "opt-6.7b", "batch": 32, "prompt": 1024, "ms_per_step": 600.0, "engine": "transformers"}""",
                """{"mode": "d", "cache": "offloaded", "model": "opt-6.7b", "batch": 64, "prompt": 1024, "error": "out of GPU memory"}""",
            });
            var (exitCode, output, error) = Run("bench", "--dry-run", "--model", "opt-6.7b", "--new-tokens", "4", "--modes", "b,c",
                "--hf-results", hf, "--trace-dir", folder);

            exitCode.ShouldBe(0, error);
            output.ShouldContain("(d) HF offloaded cache");
            output.ShouldContain("600.0");
            foreach (string mode in new[] { "b", "c" })
            {
                using var trace = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, $"opt-6.7b-b32-p1024-{mode}.predicted.trace.json")));
                trace.RootElement.GetProperty("traceEvents").EnumerateArray().Count(e => e.GetProperty("ph").GetString() == "X").ShouldBeGreaterThan(32);
                var svg = XDocument.Load(Path.Combine(folder, $"opt-6.7b-b32-p1024-{mode}.predicted.svg"));
                svg.Root!.Name.LocalName.ShouldBe("svg");
            }
            File.Exists(Path.Combine(folder, "opt-6.7b-b32-p1024-a.predicted.svg")).ShouldBeFalse();
        }
        finally
        {
            File.Delete(hf);
            if (Directory.Exists(folder))
                Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData("b")]
    [InlineData("c")]
    public void A_mode_whose_weights_and_host_store_exceed_the_host_memory_fails_before_allocating_with_the_numbers(string mode)
    {
        var spec = ModelCatalog.Get("opt-6.7b");
        // Every layer's weights copied to the host, and X, K and V of 32 sequences of 1032 tokens for every offloaded layer, in fp16.
        long needed = spec.Layers * spec.LayerWeightElements * 2 + spec.Layers * 32L * 1032 * (spec.Hidden + 2 * spec.KvDim) * 2;
        string[] args = ["bench", "--dry-run", "--model", "opt-6.7b", "--batch", "32", "--prompt", "1024", "--new-tokens", "8", "--modes", mode, "--host-memory"];

        var (exitCode, output, error) = Run([.. args, "20e9"]);
        var (fits, _, fitsError) = Run([.. args, needed.ToString(CultureInfo.InvariantCulture)]);

        exitCode.ShouldBe(1);
        output.ShouldBeEmpty();
        error.ShouldContain($"{needed:N0} bytes");
        error.ShouldContain($"{needed - 20_000_000_000:N0} bytes are missing");
        fits.ShouldBe(0, fitsError);
    }

    [Theory]
    [InlineData("--modes", "a,x", "'x'")]
    [InlineData("--new-tokens", "1", "2 new tokens")]
    [InlineData("--generations", "0", "--generations must be at least 1, but is 0.")]
    [InlineData("--host-memory", "0", "--host-memory must be a positive number of bytes, but is 0.")]
    [InlineData("--device", "tpu", "--device")]
    [InlineData("--model", "gpt-5", "'gpt-5'")]
    [InlineData("--prompt", "4096", "PromptLength (4096) exceeds the model's MaxPositions (2048).")]
    [InlineData("--batch", "100000", "Batch must be in [1, 65,536], but is 100,000.")]
    public void Bad_options_are_one_sentence_naming_the_value(string option, string value, string named)
    {
        var model = option == "--model" ? Array.Empty<string>() : new[] { "--model", "opt-1.3b" };
        var (exitCode, output, error) = Run(new[] { "bench", "--dry-run", option, value }.Concat(model).ToArray());

        exitCode.ShouldBe(1);
        output.ShouldBeEmpty();
        error.ShouldContain(named);
    }

    [Fact]
    public void A_hugging_face_line_without_a_field_names_the_file_line_and_field()
    {
        string hf = Path.Combine(Path.GetTempPath(), $"kvpr-bench-{Guid.NewGuid():N}.jsonl");
        try
        {
            File.WriteAllText(hf, "\n{\"model\": \"opt-6.7b\", \"batch\": 32}\n");
            var (exitCode, _, error) = Run("bench", "--dry-run", "--model", "opt-1.3b", "--hf-results", hf);

            exitCode.ShouldBe(1);
            error.ShouldContain($"{hf}:2");
            error.ShouldContain("field 'prompt' is missing");
        }
        finally
        {
            File.Delete(hf);
        }
    }
}
