using System;
using System.CommandLine;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace Kvpr.Cli.Tests;

/// <summary>
/// Text on the command line: <c>kvpr tokenize</c> against AutoTokenizer's ids and text (tests/fixtures/tokenizers),
/// <c>kvpr run --prompt</c> on opt-tiny with the gpt2-style fixture tokenizer beside it and on the family fixtures with
/// their own tokenizers, and the built-in demo.
/// </summary>
public sealed class TextCommandTests : IDisposable
{
    private static readonly string FixturesFolder = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "fixtures"));
    private static readonly string TokenizerFolder = Path.Combine(FixturesFolder, "tokenizers", "gpt2");

    private readonly DirectoryInfo _checkpoint = Directory.CreateTempSubdirectory("kvpr-text-");

    /// <summary>opt-tiny's weights with the gpt2-style tokenizer (the same 512-token vocabulary size and EOS id 2).</summary>
    public TextCommandTests()
    {
        foreach (string file in Directory.GetFiles(Path.Combine(FixturesFolder, "opt-tiny")))
            File.Copy(file, Path.Combine(_checkpoint.FullName, Path.GetFileName(file)));
        foreach (string file in new[] { "tokenizer.json", "tokenizer_config.json" })
            File.Copy(Path.Combine(TokenizerFolder, file), Path.Combine(_checkpoint.FullName, file));
    }

    public void Dispose() => _checkpoint.Delete(recursive: true);

    private static (int ExitCode, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exitCode = Program.CreateRootCommand().Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }

    /// <summary>A case of the fixture: a text with AutoTokenizer's ids (special tokens added) and plain ids' decoded text.</summary>
    private static (string Text, int[] Ids, int[] IdsPlain, string Decoded) Case(string text, string? tokenizerFolder = null)
    {
        using var cases = JsonDocument.Parse(File.ReadAllText(Path.Combine(tokenizerFolder ?? TokenizerFolder, "cases.json")));
        var found = cases.RootElement.EnumerateArray().First(c => c.GetProperty("text").GetString() == text);
        int[] Ids(string name) => found.GetProperty(name).EnumerateArray().Select(id => id.GetInt32()).ToArray();
        return (text, Ids("ids"), Ids("ids_plain"), found.GetProperty("decoded").GetString()!);
    }

    [Fact]
    public void Tokenize_prints_the_ids_autotokenizer_gives()
    {
        var expected = Case("The quick brown fox jumps over the lazy dog.");

        var (exitCode, output, error) = Run("tokenize", TokenizerFolder, expected.Text);

        error.ShouldBeEmpty();
        exitCode.ShouldBe(0);
        output.Trim().ShouldBe(string.Join(",", expected.Ids));
    }

    [Fact]
    public void Tokenize_decode_prints_the_text_and_json_carries_both()
    {
        var expected = Case("naïve café");

        var (_, text, _) = Run("tokenize", TokenizerFolder, "--decode", string.Join(",", expected.IdsPlain));
        var (_, json, _) = Run("tokenize", TokenizerFolder, expected.Text, "--no-special-tokens", "--json");

        text.ShouldBe(expected.Decoded + Environment.NewLine);
        var document = JsonDocument.Parse(json).RootElement;
        document.GetProperty("text").GetString().ShouldBe(expected.Text);
        document.GetProperty("ids").EnumerateArray().Select(id => id.GetInt32()).ShouldBe(expected.IdsPlain);
    }

    [Theory]
    [InlineData("no tokenizer", "tokenize", "{fixtures}/opt-tiny", "hello")]
    [InlineData("either a text to encode or --decode", "tokenize", "{fixtures}/tokenizers/gpt2")]
    [InlineData("'x' in --decode '1,x' is not a token id", "tokenize", "{fixtures}/tokenizers/gpt2", "--decode", "1,x")]
    [InlineData("Text prompts need a tokenizer", "run", "{fixtures}/opt-tiny", "--prompt", "hello")]
    [InlineData("Give prompts one way", "run", "--prompt", "hello", "--prompt-ids", "1,2")]
    [InlineData("The prompts file", "run", "--prompts", "missing.txt")]
    public void Bad_text_input_is_one_sentence_on_stderr(string expected, params string[] args)
    {
        var (exitCode, output, error) = Run(args.Select(arg => arg.Replace("{fixtures}", FixturesFolder)).ToArray());

        exitCode.ShouldBe(1);
        output.ShouldBeEmpty();
        error.ShouldContain(expected);
    }

    [Fact]
    public void Run_encodes_text_prompts_and_returns_the_generated_text_with_its_ids()
    {
        var first = Case("Hello world");
        var second = Case("The quick brown fox jumps over the lazy dog.");

        var (exitCode, output, error) = Run("run", _checkpoint.FullName, "--prompt", first.Text, "--prompt", second.Text, "--max-new-tokens", "6", "--json");

        exitCode.ShouldBe(0, error);
        var json = JsonDocument.Parse(output).RootElement;
        json.GetProperty("prompts")[0].EnumerateArray().Select(id => id.GetInt32()).ShouldBe(first.Ids);
        json.GetProperty("prompts")[1].EnumerateArray().Select(id => id.GetInt32()).ShouldBe(second.Ids);
        json.GetProperty("promptTexts")[1].GetString().ShouldBe(second.Text);
        var tokens = json.GetProperty("tokens")[0].EnumerateArray().Select(id => id.GetInt32()).ToArray();
        tokens.Length.ShouldBeInRange(1, 6);
        string text = json.GetProperty("texts")[0].GetString()!;
        var (_, decoded, _) = Run("tokenize", _checkpoint.FullName, "--decode", string.Join(",", tokens), "--no-special-tokens");
        text.ShouldBe(decoded.TrimEnd('\r', '\n'));
        json.GetProperty("finishReasons")[0].GetString().ShouldBeOneOf("length", "eos");
    }

    /// <summary>The family fixtures carry the tokenizer of their style (tests/fixtures/README.md): its copy in tests/fixtures/tokenizers has AutoTokenizer's ids.</summary>
    [Theory]
    [InlineData("llama3-tiny", "llama3")]
    [InlineData("mistral-tiny", "llama2")]
    [InlineData("qwen2-tiny", "qwen2")]
    public void Family_fixtures_run_text_prompts_with_their_own_tokenizer(string fixture, string style)
    {
        var prompt = Case("Hello world", Path.Combine(FixturesFolder, "tokenizers", style));
        string checkpoint = Path.Combine(FixturesFolder, fixture);

        var (exitCode, output, error) = Run("run", checkpoint, "--prompt", prompt.Text, "--max-new-tokens", "5", "--json");

        exitCode.ShouldBe(0, error);
        var json = JsonDocument.Parse(output).RootElement;
        json.GetProperty("prompts")[0].EnumerateArray().Select(id => id.GetInt32()).ShouldBe(prompt.Ids);
        var tokens = json.GetProperty("tokens")[0].EnumerateArray().Select(id => id.GetInt32()).ToArray();
        tokens.Length.ShouldBeInRange(1, 5);
        var (_, decoded, _) = Run("tokenize", checkpoint, "--decode", string.Join(",", tokens), "--no-special-tokens");
        json.GetProperty("texts")[0].GetString().ShouldBe(decoded.TrimEnd('\r', '\n'));
    }

    [Fact]
    public void One_text_prompt_is_streamed_after_the_header()
    {
        var prompt = Case("Hello world");

        var (exitCode, output, error) = Run("run", _checkpoint.FullName, "--prompt", prompt.Text, "--max-new-tokens", "5");

        exitCode.ShouldBe(0, error);
        output.IndexOf("Model ", StringComparison.Ordinal).ShouldBeLessThan(output.IndexOf("Generated text:", StringComparison.Ordinal));
        output.ShouldContain("Generated text:" + Environment.NewLine + "  Hello world");
        output.ShouldContain("tokens, stopped at");
        output.ShouldContain("Statistics:");
    }

    [Fact]
    public void Prompts_come_one_a_line_from_a_file_and_stop_strings_cut_the_text()
    {
        string file = Path.Combine(_checkpoint.FullName, "prompts.txt");
        File.WriteAllText(file, "Hello world\n\nThe quick brown fox\n");
        var (_, plain, _) = Run("run", _checkpoint.FullName, "--prompts", file, "--max-new-tokens", "8", "--json");
        string full = JsonDocument.Parse(plain).RootElement.GetProperty("texts")[0].GetString()!;
        full.Length.ShouldBeGreaterThan(2);
        string stop = full.Substring(full.Length / 2, 1);

        var (exitCode, output, error) = Run("run", _checkpoint.FullName, "--prompts", file, "--max-new-tokens", "8", "--stop", stop, "--json");

        exitCode.ShouldBe(0, error);
        var json = JsonDocument.Parse(output).RootElement;
        json.GetProperty("promptTexts").GetArrayLength().ShouldBe(2);
        json.GetProperty("texts")[0].GetString().ShouldBe(full[..full.IndexOf(stop, StringComparison.Ordinal)]);
        json.GetProperty("finishReasons")[0].GetString().ShouldBe("stop");
    }

    [Fact]
    public void The_built_in_demo_shows_text_from_random_weights_and_a_plan_that_recomputes_part_of_the_kv_cache()
    {
        var (exitCode, output, error) = Run("run", "--max-new-tokens", "2");

        exitCode.ShouldBe(0, error);
        output.ShouldContain("seeded random weights");
        output.ShouldContain("Generated text:" + Environment.NewLine + "  0 prompt: When a language model writes text");
        output.ShouldContain("Residency: KV cache of all 4 layers offloaded to the host; weights of all 4 layers on the GPU.");
        var statistics = System.Text.RegularExpressions.Regex.Match(output, @"mean recomputed share l/s' ([0-9.]+), which kept ([0-9.]+) MB off the link");
        statistics.Success.ShouldBeTrue(output);
        double.Parse(statistics.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture).ShouldBeInRange(0.05, 0.95);
        double.Parse(statistics.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture).ShouldBeGreaterThan(0);
    }
}
