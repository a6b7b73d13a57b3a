using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Kvpr.Runtime.Tests.Checkpoints;
using Kvpr.Text;

namespace Kvpr.Runtime.Tests.Text;

/// <summary>
/// Every case of tests/fixtures/tokenizers (AutoTokenizer's ids and text for a few hundred strings, per tokenizer
/// style; tests/fixtures/make_tokenizer_fixtures.py) against the tokenizer loaded from the same folder.
/// </summary>
public class TokenizerFixtureTests
{
    public static readonly TheoryData<string> Styles = new() { "gpt2", "gpt2-vocab-merges", "llama3", "qwen2", "llama2", "llama2-model" };

    private sealed record Case(string Text, int[] Ids, int[] IdsPlain, string Decoded, string DecodedSkip);

    private static string Folder(string style) => Path.Combine(Fixtures.Root, "tokenizers", style);

    private static IReadOnlyList<Case> Cases(string style)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder(style), "cases.json")));
        return document.RootElement.EnumerateArray().Select(c => new Case(
            c.GetProperty("text").GetString()!,
            c.GetProperty("ids").EnumerateArray().Select(id => id.GetInt32()).ToArray(),
            c.GetProperty("ids_plain").EnumerateArray().Select(id => id.GetInt32()).ToArray(),
            c.GetProperty("decoded").GetString()!,
            c.GetProperty("decoded_skip").GetString()!)).ToArray();
    }

    /// <summary>Failures listed together, each with its text, so one run shows every mismatch.</summary>
    private static void AllMatch(string style, System.Func<TextTokenizer, Case, (object Expected, object Actual)> check)
    {
        var tokenizer = TextTokenizer.Load(Folder(style));
        var failures = new List<string>();
        foreach (var c in Cases(style))
        {
            var (expected, actual) = check(tokenizer, c);
            string e = JsonSerializer.Serialize(expected), a = JsonSerializer.Serialize(actual);
            if (e != a)
                failures.Add($"{JsonSerializer.Serialize(c.Text)}: expected {e}, got {a}");
        }
        failures.ShouldBeEmpty(string.Join("\n", failures));
    }

    [Theory]
    [MemberData(nameof(Styles))]
    public void Ids_with_special_tokens_match_AutoTokenizer(string style) =>
        AllMatch(style, (tokenizer, c) => (c.Ids, tokenizer.Encode(c.Text)));

    [Theory]
    [MemberData(nameof(Styles))]
    public void Ids_without_special_tokens_match_AutoTokenizer(string style) =>
        AllMatch(style, (tokenizer, c) => (c.IdsPlain, tokenizer.Encode(c.Text, addSpecialTokens: false)));

    [Theory]
    [MemberData(nameof(Styles))]
    public void Decoded_text_matches_AutoTokenizer(string style) =>
        AllMatch(style, (tokenizer, c) => (c.Decoded, tokenizer.Decode(c.IdsPlain)));

    [Theory]
    [MemberData(nameof(Styles))]
    public void Decoded_text_without_special_tokens_matches_AutoTokenizer(string style) =>
        AllMatch(style, (tokenizer, c) => (c.DecodedSkip, tokenizer.Decode(c.Ids, skipSpecialTokens: true)));
}
