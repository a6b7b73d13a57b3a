using System;
using System.CommandLine;
using System.IO;
using System.Linq;
using System.Text.Json;
using Kvpr.Checkpoints;

namespace Kvpr.Cli.Tests;

public class RunCommandTests
{
    /// <summary>tests/fixtures, from this assembly's bin/Debug/net10.0 folder.</summary>
    private static readonly string FixturesFolder = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "fixtures"));

    private static (int ExitCode, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exitCode = Program.CreateRootCommand().Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }

    private static JsonElement RunJson(params string[] args)
    {
        var (exitCode, output, error) = Run(args.Append("--json").ToArray());
        error.ShouldBeEmpty();
        exitCode.ShouldBe(0);
        return JsonDocument.Parse(output).RootElement.Clone();
    }

    /// <summary>Four prompts of 16 ids for the built-in model: quicker than its demo's 16 of 192.</summary>
    private static readonly string SmallPrompts = string.Join(";", Enumerable.Range(0, 4).Select(s => string.Join(",", Enumerable.Range(0, 16).Select(i => (s * 131 + i * 17) % 1024))));

    private static int[][] Ids(JsonElement element, string property) =>
        element.GetProperty(property).EnumerateArray().Select(sequence => sequence.EnumerateArray().Select(id => id.GetInt32()).ToArray()).ToArray();

    /// <summary>Prompt and greedy continuation Hugging Face computed for a fixture (tests/fixtures/README.md).</summary>
    private static (int[][] Prompts, int[][] Generated) Reference(string fixture)
    {
        var outputs = ReferenceOutputs.Read(Path.Combine(FixturesFolder, fixture));
        return (outputs.Prompts, outputs.GeneratedTokens);
    }

    [Theory]
    [InlineData("opt-tiny", "none", "row")]
    [InlineData("llama-tiny", "0.5", "column")]
    [InlineData("llama-tiny-gqa", "auto", "row")]
    [InlineData("llama3-tiny", "0.5", "row")]
    [InlineData("llama-linear-tiny", "all", "column")]
    [InlineData("mistral-tiny", "auto", "column")]
    [InlineData("qwen2-tiny", "none", "row")]
    public void Checkpoint_run_reproduces_the_hugging_face_greedy_tokens(string fixture, string split, string schedule)
    {
        var (prompts, generated) = Reference(fixture);
        string inline = string.Join(";", prompts.Select(prompt => string.Join(",", prompt)));

        var json = RunJson("run", Path.Combine(FixturesFolder, fixture), "--prompt-ids", inline, "--max-new-tokens", "20",
            "--split", split, "--schedule", schedule, "--micro-batches", "2");

        Ids(json, "tokens").ShouldBe(generated);
        Ids(json, "prompts").ShouldBe(prompts);
        json.GetProperty("stats").GetProperty("generatedTokens").GetInt32().ShouldBe(40);
    }

    [Theory]
    [InlineData("opt-tiny", "4", "auto", "row")]
    [InlineData("llama-tiny-gqa", "2", "0.5", "column")]
    [InlineData("qwen2-tiny", "2", "all", "row")]
    public void A_checkpoint_split_over_tensor_parallel_ranks_reproduces_the_hugging_face_greedy_tokens(string fixture, string ranks, string split, string schedule)
    {
        var (prompts, generated) = Reference(fixture);
        string inline = string.Join(";", prompts.Select(prompt => string.Join(",", prompt)));
        string[] args = ["run", Path.Combine(FixturesFolder, fixture), "--prompt-ids", inline, "--max-new-tokens", "20",
            "--split", split, "--schedule", schedule, "--micro-batches", "2", "--tensor-parallel", ranks];

        Ids(RunJson(args), "tokens").ShouldBe(generated);
        Run(args).Output.ShouldContain($"Device cpu split over {ranks} tensor-parallel ranks");
    }

    [Fact]
    public void Prompt_ids_can_come_from_a_json_file()
    {
        var (prompts, generated) = Reference("llama-tiny-gqa");
        var folder = Directory.CreateTempSubdirectory("kvpr-run-");
        try
        {
            string file = Path.Combine(folder.FullName, "prompts.json");
            File.WriteAllText(file, JsonSerializer.Serialize(prompts));

            var json = RunJson("run", Path.Combine(FixturesFolder, "llama-tiny-gqa"), "--prompt-ids", file, "--max-new-tokens", "5", "--split", "all");

            Ids(json, "tokens").ShouldBe(generated.Select(tokens => tokens.Take(5).ToArray()).ToArray());
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void Built_in_model_runs_a_seeded_random_batch_reproducibly()
    {
        var first = RunJson("run", "--prompt-ids", SmallPrompts, "--max-new-tokens", "6", "--seed", "3", "--temperature", "0.9", "--top-k", "50", "--top-p", "0.95");
        var again = RunJson("run", "--prompt-ids", SmallPrompts, "--max-new-tokens", "6", "--seed", "3", "--temperature", "0.9", "--top-k", "50", "--top-p", "0.95");
        var otherSeed = RunJson("run", "--prompt-ids", SmallPrompts, "--max-new-tokens", "6", "--seed", "4", "--temperature", "0.9", "--top-k", "50", "--top-p", "0.95");

        var tokens = Ids(first, "tokens");
        tokens.Length.ShouldBe(4);
        tokens.ShouldAllBe(sequence => sequence.Length == 6 && sequence.All(id => id >= 0 && id < 1024));
        Ids(first, "prompts").ShouldAllBe(prompt => prompt.Length == 16);
        Ids(again, "tokens").ShouldBe(tokens);
        Ids(otherSeed, "tokens").ShouldNotBe(tokens);
        first.GetProperty("model").GetString().ShouldBe(ModelCatalog.TinyName);
        first.GetProperty("plan").GetProperty("residency").ValueKind.ShouldBe(JsonValueKind.Object);
    }

    [Fact]
    public void Offloaded_split_moves_kv_over_the_link_and_gives_the_same_greedy_tokens()
    {
        var none = RunJson("run", "--prompt-ids", SmallPrompts, "--max-new-tokens", "4", "--split", "none", "--schedule", "row");
        var all = RunJson("run", "--prompt-ids", SmallPrompts, "--max-new-tokens", "4", "--split", "all", "--schedule", "column", "--micro-batches", "2");

        Ids(all, "tokens").ShouldBe(Ids(none, "tokens"));
        none.GetProperty("stats").GetProperty("hostToDeviceBytes").GetInt64().ShouldBeGreaterThan(0);
        none.GetProperty("stats").GetProperty("recomputeFraction").GetDouble().ShouldBe(0);
        all.GetProperty("stats").GetProperty("recomputeFraction").GetDouble().ShouldBe(1);
    }

    [Fact]
    public void Text_output_shows_the_plan_the_tokens_and_the_statistics()
    {
        var (exitCode, output, error) = Run("run", Path.Combine(FixturesFolder, "opt-tiny"), "--max-new-tokens", "3");

        error.ShouldBeEmpty();
        exitCode.ShouldBe(0);
        output.ShouldContain("Model opt-tiny");
        output.ShouldContain("Plan for opt-tiny on profile h100-sxm-pcie5");
        output.ShouldContain("Generated tokens:");
        output.Split('\n').Count(line => line.StartsWith("  ") && line.Contains(':') && line.Split(':')[1].Trim().Split(' ').Length == 3).ShouldBe(4);
        output.ShouldContain("Statistics:");
        output.ShouldContain("12 tokens generated in 3 steps");
    }

    [Theory]
    [InlineData("The checkpoint folder", "{fixtures}/no-such-model")]
    [InlineData("'x' in --prompt-ids '1,x' is not a token id", "--prompt-ids", "1,x")]
    [InlineData("Sequence 1 of --prompt-ids is empty", "--prompt-ids", "1,2;")]
    [InlineData("outside the vocabulary", "{fixtures}/opt-tiny", "--prompt-ids", "1,600")]
    [InlineData("The prompt file", "--prompt-ids", "missing.json")]
    [InlineData("--split must be auto, none, all or a fraction in [0, 1], but is '1.5'.", "--split", "1.5")]
    [InlineData("--device must be cpu or cuda, but is 'tpu'.", "--device", "tpu")]
    [InlineData("--schedule must be row or column, but is 'diagonal'.", "--schedule", "diagonal")]
    [InlineData("--top-p must be in (0, 1], but is 0.", "--top-p", "0")]
    [InlineData("--temperature must be 0 (greedy) or positive, but is -1.", "--temperature", "-1")]
    [InlineData("--top-k must be 0 (all tokens) or positive, but is -2.", "--top-k", "-2")]
    [InlineData("--max-new-tokens must be at least 1, but is 0.", "--max-new-tokens", "0")]
    [InlineData("--micro-batches must be at least 1, but is 0.", "--micro-batches", "0")]
    [InlineData("--tensor-parallel must be at least 1 (1 runs the model whole), but is 0.", "--tensor-parallel", "0")]
    [InlineData("--tensor-parallel needs --device cpu: tensor parallelism runs on the CPU backend's simulated devices", "--device", "cuda", "--tensor-parallel", "2")]
    [InlineData("--tensor-parallel 3 does not split opt-tiny: Heads (4) is not divisible by 3, so the ranks would not get equal shares; model 'opt-tiny' splits 1, 2, 4 ways.", "{fixtures}/opt-tiny", "--tensor-parallel", "3")]
    [InlineData("Hardware profile 'a800'", "--profile", "a800")]
    [InlineData("--profile is used to plan the split, so it needs --split auto", "--profile", "t4-pcie3", "--split", "none")]
    [InlineData("exceeds the 128 positions", "{fixtures}/opt-tiny", "--max-new-tokens", "120")]
    [InlineData("KVPR016: prompt 0 has token id 600 at position 1, outside the vocabulary [0, 512) of model 'opt-tiny'.", "{fixtures}/opt-tiny", "--prompt-ids", "1,600", "--split", "none")]
    [InlineData("--gpu-memory must be a positive number of bytes, but is 0.", "--gpu-memory", "0")]
    [InlineData("--gpu-memory is used to plan the split, so it needs --split auto", "--gpu-memory", "1000000000", "--split", "all")]
    [InlineData("bytes are missing", "--gpu-memory", "1000")]
    [InlineData("--host-memory must be a positive number of bytes, but is 0.", "--host-memory", "0")]
    [InlineData("--host-memory is used to plan the split, so it needs --split auto", "--host-memory", "1000000000", "--split", "all")]
    [InlineData("bytes of host memory, but the budget is 1,000 bytes", "--host-memory", "1000")]
    [InlineData("--cpu-attention 0.5 needs --split auto, not 'none'.", "--cpu-attention", "0.5", "--split", "none")]
    [InlineData("--cpu-attention auto is not possible: hardware profile 'h100-sxm-pcie5' has not measured", "--cpu-attention", "auto")]
    public void Bad_input_is_one_sentence_on_stderr_and_exit_code_1(string expected, params string[] args)
    {
        var (exitCode, output, error) = Run(args.Select(arg => arg.Replace("{fixtures}", FixturesFolder)).Prepend("run").ToArray());

        exitCode.ShouldBe(1);
        output.ShouldBeEmpty();
        error.ShouldContain(expected);
        error.TrimEnd().ShouldNotContain('\n');
        error.ShouldNotContain("(Parameter '");
    }

    [Theory]
    [InlineData("[[1, 2], [3, \"4\"]]", "field '[1][1]' must be a number, but is the string \"4\".")]
    [InlineData("[[1, 2], [3, -4]]", "field '[1][1]' must be in [0, 2,147,483,647], but is -4.")]
    [InlineData("[[1, 2]\n [3, 4]]", "invalid JSON at line 2, byte 2: ")]
    [InlineData("{\"ids\": [1]}", "must be an array, but is an object.")]
    public void A_bad_prompt_file_is_named_with_the_field_at_fault(string json, string expected)
    {
        string file = Path.Combine(Path.GetTempPath(), $"kvpr-prompts-{Guid.NewGuid():N}.json");
        try
        {
            File.WriteAllText(file, json);
            var (exitCode, output, error) = Run("run", "--prompt-ids", file);

            exitCode.ShouldBe(1);
            output.ShouldBeEmpty();
            error.ShouldContain($"The prompt file {file}: ");
            error.ShouldContain(expected);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Check_weights_scans_a_clean_checkpoint_and_runs_it()
    {
        var (prompts, generated) = Reference("opt-tiny");
        var json = RunJson("run", Path.Combine(FixturesFolder, "opt-tiny"), "--check-weights", "--max-new-tokens", "20",
            "--prompt-ids", string.Join(";", prompts.Select(prompt => string.Join(",", prompt))));
        Ids(json, "tokens").ShouldBe(generated);
    }

    [Fact]
    public void The_built_in_model_offloads_its_kv_cache_unless_given_more_gpu_memory()
    {
        var (_, demo, _) = Run("run", "--prompt-ids", SmallPrompts, "--max-new-tokens", "2");
        demo.ShouldContain("Residency: KV cache of all 4 layers offloaded to the host; weights of all 4 layers on the GPU.");
        demo.ShouldNotContain("Host→device 0.00 MB");

        var (_, roomy, _) = Run("run", "--prompt-ids", SmallPrompts, "--max-new-tokens", "2", "--gpu-memory", "80000000000");
        roomy.ShouldContain("Residency: KV cache of all 4 layers on the GPU");
        roomy.ShouldContain("Host→device 0.00 MB");
    }

    [Fact]
    public void A_corrupt_checkpoint_is_reported_by_tensor()
    {
        var folder = Directory.CreateTempSubdirectory("kvpr-run-");
        try
        {
            foreach (string file in Directory.GetFiles(Path.Combine(FixturesFolder, "opt-tiny")))
                File.Copy(file, Path.Combine(folder.FullName, Path.GetFileName(file)));
            string weights = Path.Combine(folder.FullName, "model.safetensors");
            File.WriteAllBytes(weights, File.ReadAllBytes(weights)[..^64]);

            var (exitCode, _, error) = Run("run", folder.FullName);

            exitCode.ShouldBe(1);
            error.ShouldContain(weights);
            error.ShouldContain("truncated");
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
