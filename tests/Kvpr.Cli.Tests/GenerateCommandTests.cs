using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;

namespace Kvpr.Cli.Tests;

/// <summary>
/// <c>kvpr generate</c> on the opt-tiny fixture: a resumed job (after a cancellation or a kill that cut the last line)
/// ends with exactly the results of one uninterrupted run, bad lines become error records without disturbing the others,
/// and greedy results do not depend on the batching.
/// </summary>
public sealed class GenerateCommandTests : IDisposable
{
    private static readonly string Checkpoint = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "fixtures", "opt-tiny"));

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("kvpr-generate-");

    public void Dispose() => _folder.Delete(recursive: true);

    private string PathOf(string name) => Path.Combine(_folder.FullName, name);

    /// <summary>Twelve greedy requests over three prompt lengths, each with its own token limit.</summary>
    private static string[] Requests()
    {
        var random = new Random(7);
        return Enumerable.Range(0, 12).Select(i => JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["id"] = $"r{i}",
            ["prompt_ids"] = Enumerable.Range(0, 5 + i % 3 * 4).Select(_ => random.Next(4, 512)).ToArray(),
            ["max_new_tokens"] = 3 + i % 5,
        })).ToArray();
    }

    private (int ExitCode, string Output, string Error) Generate(string input, string output, CancellationToken cancellationToken = default,
        TextWriter? error = null, int maxBatch = 32, string? checkpoint = null)
    {
        var console = new StringWriter();
        error ??= new StringWriter();
        var settings = new GenerateSettings { Folder = checkpoint ?? Checkpoint, Input = PathOf(input), Output = PathOf(output), MaxNewTokens = 4, MaxBatch = maxBatch };
        int exitCode = GenerateCommand.Run(settings, console, error, interactive: false, cancellationToken);
        return (exitCode, console.ToString(), error.ToString() ?? "");
    }

    /// <summary>The output's records by id (error records without an id by line), in key order; fails if one repeats.</summary>
    private SortedDictionary<string, string> Records(string output)
    {
        var lines = File.ReadAllLines(PathOf(output));
        lines.ShouldAllBe(line => JsonDocument.Parse(line, default).RootElement.ValueKind == JsonValueKind.Object);
        return new SortedDictionary<string, string>(lines.ToDictionary(line =>
        {
            var root = JsonDocument.Parse(line).RootElement;
            return root.TryGetProperty("id", out var id) && id.ValueKind != JsonValueKind.Null ? id.GetRawText() : "line " + root.GetProperty("line").GetInt32();
        }), StringComparer.Ordinal);
    }

    private SortedDictionary<string, string> Uninterrupted(string[] requests)
    {
        File.WriteAllLines(PathOf("all.jsonl"), requests);
        var (exitCode, _, error) = Generate("all.jsonl", "expected.jsonl");
        exitCode.ShouldBe(0, error);
        return Records("expected.jsonl");
    }

    [Fact]
    public void A_job_stopped_after_its_first_batch_and_run_again_gives_the_results_of_one_uninterrupted_run()
    {
        var requests = Requests();
        var expected = Uninterrupted(requests);
        expected.Count.ShouldBe(12);

        using var stop = new CancellationTokenSource();
        // Plain progress comes as a line after each batch: stop there, as Ctrl-C would, mid-job.
        var (stoppedCode, stoppedOutput, _) = Generate("all.jsonl", "resumed.jsonl", stop.Token, new CancelOnWrite(stop), maxBatch: 2);
        stoppedCode.ShouldBe(GenerateCommand.Interrupted);
        stoppedOutput.ShouldContain("Stopped");
        int kept = File.ReadAllLines(PathOf("resumed.jsonl")).Length;
        kept.ShouldBeInRange(2, 11);

        var (exitCode, output, _) = Generate("all.jsonl", "resumed.jsonl", maxBatch: 2);
        exitCode.ShouldBe(0);
        output.ShouldContain($"({kept} were there from an earlier run)");
        Records("resumed.jsonl").ShouldBe(expected);
    }

    [Fact]
    public void A_last_line_cut_off_by_a_kill_is_written_again_and_the_rest_kept()
    {
        var expected = Uninterrupted(Requests());
        var lines = File.ReadAllLines(PathOf("expected.jsonl"));
        File.WriteAllText(PathOf("killed.jsonl"), string.Join("\n", lines.Take(5)) + "\n" + lines[5][..(lines[5].Length / 2)]);

        var (exitCode, _, error) = Generate("all.jsonl", "killed.jsonl");

        exitCode.ShouldBe(0, error);
        Records("killed.jsonl").ShouldBe(expected);
        File.ReadAllLines(PathOf("killed.jsonl")).Take(5).ShouldBe(lines.Take(5));
    }

    [Fact]
    public void Bad_lines_get_error_records_with_their_line_numbers_and_every_other_result_is_intact()
    {
        var requests = Requests();
        var expected = Uninterrupted(requests);
        var withBadLines = requests.Take(4)
            .Append("{not json")
            .Append("{\"id\": \"r99\", \"prompt_ids\": [1, 2], \"max_new_tokens\": 0}")
            .Append("{\"id\": \"r98\", \"prompt\": \"text without a tokenizer\"}")
            .Append("{\"id\": \"r97\", \"prompt_ids\": [1, 9999]}")
            .Append(requests[0])
            .Concat(requests.Skip(4))
            .Append("{\"id\": \"r96\", \"prompt_ids\": [1, 2], \"top_k\": 1.5}")
            .Append("{\"id\": \"r95\", \"prompt_ids\": [1, -2]}").ToArray();
        File.WriteAllLines(PathOf("bad.jsonl"), withBadLines);

        var (exitCode, _, error) = Generate("bad.jsonl", "bad-results.jsonl");

        exitCode.ShouldBe(0, error);
        var records = Records("bad-results.jsonl");
        foreach (var (id, record) in expected)
            records[id].ShouldBe(record);
        Error(records["line 5"]).ShouldStartWith("line 5 is not valid JSON");
        Error(records["\"r99\""]).ShouldBe("line 6 has \"max_new_tokens\" 0; it must be at least 1.");
        Error(records["\"r98\""]).ShouldContain("line 7 has a text \"prompt\", but the checkpoint has no tokenizer");
        Error(records["\"r97\""]).ShouldContain("line 8 has token id 9999, outside the vocabulary [0, 512)");
        Error(records["line 9"]).ShouldBe("line 9 repeats the id \"r0\" of line 1.");
        Error(records["\"r96\""]).ShouldBe("line 18 has a bad field: 'top_k' must be an integer, but is the number 1.5.");
        Error(records["\"r95\""]).ShouldBe("line 19 has a bad field: 'prompt_ids[1]' must be in [0, 2,147,483,647], but is -2.");
        records.Count.ShouldBe(12 + 7);

        // A rerun has nothing left to do and writes nothing twice.
        var (_, again, _) = Generate("bad.jsonl", "bad-results.jsonl");
        again.ShouldStartWith("Nothing to do");
        Records("bad-results.jsonl").Count.ShouldBe(12 + 7);
    }

    [Fact]
    public void Greedy_results_do_not_depend_on_the_batching()
    {
        var expected = Uninterrupted(Requests());

        var (exitCode, _, error) = Generate("all.jsonl", "one-by-one.jsonl", maxBatch: 1);

        exitCode.ShouldBe(0, error);
        Records("one-by-one.jsonl").ShouldBe(expected);
    }

    [Fact]
    public void Each_result_has_the_ids_the_reason_and_the_prompt_length()
    {
        var expected = Uninterrupted(Requests());
        var first = JsonDocument.Parse(expected["\"r0\""]).RootElement;

        first.GetProperty("token_ids").GetArrayLength().ShouldBeInRange(1, 3);
        first.GetProperty("finish_reason").GetString().ShouldBeOneOf("length", "eos");
        first.GetProperty("prompt_tokens").GetInt32().ShouldBe(5);
        first.TryGetProperty("text", out _).ShouldBeFalse();
    }

    [Fact]
    public void Text_prompts_get_text_results_and_a_killed_text_job_resumes_to_the_same_results()
    {
        // opt-tiny's weights with the gpt2-style fixture tokenizer (512 ids, EOS 2).
        string checkpoint = PathOf("with-tokenizer");
        Directory.CreateDirectory(checkpoint);
        foreach (string file in Directory.GetFiles(Checkpoint))
            File.Copy(file, Path.Combine(checkpoint, Path.GetFileName(file)));
        foreach (string file in new[] { "tokenizer.json", "tokenizer_config.json" })
            File.Copy(Path.Combine(Checkpoint, "..", "tokenizers", "gpt2", file), Path.Combine(checkpoint, file));
        var prompts = new[] { "Hello world", "The quick brown fox", "Hello there", "naïve café", "def f(x): return x", "1234567890" };
        File.WriteAllLines(PathOf("text.jsonl"), prompts.Select((prompt, i) => JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["id"] = i,
            ["prompt"] = prompt,
            ["max_new_tokens"] = 6,
            ["stop"] = new[] { "zzz" },
        })));

        var (exitCode, _, error) = Generate("text.jsonl", "text-expected.jsonl", checkpoint: checkpoint);
        exitCode.ShouldBe(0, error);
        var expected = Records("text-expected.jsonl");
        expected.Count.ShouldBe(prompts.Length);
        var hello = JsonDocument.Parse(expected["0"]).RootElement;
        // AutoTokenizer gives "Hello world" 9 ids with the </s> BOS (tests/fixtures/tokenizers/gpt2/cases.json).
        hello.GetProperty("prompt_tokens").GetInt32().ShouldBe(9);
        hello.GetProperty("text").ValueKind.ShouldBe(JsonValueKind.String);

        var lines = File.ReadAllLines(PathOf("text-expected.jsonl"));
        File.WriteAllText(PathOf("text-killed.jsonl"), lines[0] + "\n" + lines[1][..5]);
        var (resumed, _, resumeError) = Generate("text.jsonl", "text-killed.jsonl", checkpoint: checkpoint);
        resumed.ShouldBe(0, resumeError);
        Records("text-killed.jsonl").ShouldBe(expected);
    }

    private static string Error(string record) => JsonDocument.Parse(record).RootElement.GetProperty("error").GetString()!;

    /// <summary>Cancels at the first line written to it.</summary>
    private sealed class CancelOnWrite(CancellationTokenSource source) : StringWriter
    {
        public override void WriteLine(string? value)
        {
            source.Cancel();
            base.WriteLine(value);
        }
    }
}
