using System.IO;
using Kvpr.Runtime.Tests.Checkpoints;
using Kvpr.Text;

namespace Kvpr.Runtime.Tests.Text;

/// <summary>
/// Where Hugging Face puts '▁' in SentencePiece-style BPE, for the settings the fixtures do not reach (they hold
/// prepend_scheme "first" without split). Vocabulary ▁, a, ▁a, a▁ with merges "a ▁" before "▁ a", and an added &lt;s&gt;:
/// a Prepend normalizer puts '▁' before every piece even after a space; Metaspace "always" before every piece not
/// starting with one; "first" only at the text's start; "never" nowhere; split merges each '▁'-word on its own.
/// </summary>
public class MetaspaceTests
{
    private static TextTokenizer Load(string normalizer, string preTokenizer)
    {
        using var folder = new TempFolder("tok");
        File.WriteAllText(folder.File("tokenizer.json"), $$"""
            {"model": {"type": "BPE", "vocab": {"<unk>": 0, "▁": 1, "a": 2, "▁a": 3, "<s>": 4, "a▁": 5}, "merges": ["a ▁", "▁ a"], "unk_token": "<unk>"},
             "added_tokens": [{"id": 4, "content": "<s>", "special": true}],
             "normalizer": {{normalizer}}, "pre_tokenizer": {{preTokenizer}}}
            """);
        return TextTokenizer.Load(folder.Path);
    }

    private static TextTokenizer Metaspace(string scheme, bool split = false) =>
        Load("null", $$"""{"type": "Metaspace", "replacement": "▁", "prepend_scheme": "{{scheme}}", "split": {{(split ? "true" : "false")}}}""");

    [Fact]
    public void A_prepend_normalizer_puts_a_space_before_every_piece()
    {
        var tokenizer = Load("""{"type": "Sequence", "normalizers": [{"type": "Prepend", "prepend": "▁"}, {"type": "Replace", "pattern": {"String": " "}, "content": "▁"}]}""", "null");

        tokenizer.Encode("a<s>a").ShouldBe(new[] { 3, 4, 3 });
        tokenizer.Encode(" b").ShouldBe(new[] { 1, 1, 0 }, "▁▁b: b is unknown");
    }

    [Fact]
    public void Metaspace_always_puts_a_space_before_every_piece_without_one() => Metaspace("always").Encode(" a<s>a").ShouldBe(new[] { 3, 4, 3 });

    [Fact]
    public void Metaspace_first_puts_a_space_at_the_start_of_the_text_only() => Metaspace("first").Encode("a<s>a").ShouldBe(new[] { 3, 4, 2 });

    [Fact]
    public void Metaspace_never_puts_no_space() => Metaspace("never").Encode("a<s>a").ShouldBe(new[] { 2, 4, 2 });

    [Fact]
    public void Metaspace_split_merges_each_word_on_its_own()
    {
        Metaspace("first").Encode("a a").ShouldBe(new[] { 1, 5, 2 }, "▁a▁a merges a▁ first");
        Metaspace("first", split: true).Encode("a a").ShouldBe(new[] { 3, 3 });
    }
}
