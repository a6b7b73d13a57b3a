using System.IO;
using Kvpr.Runtime.Tests.Checkpoints;
using Kvpr.Text;

namespace Kvpr.Runtime.Tests.Text;

/// <summary>
/// BPE's ignore_merges (Llama 3), which the fixtures' strings never reach: with merges ranked "b c", "a b", "ab c", the
/// word "abc" merges to [a, bc] (b+c first, and "a bc" is no merge); with ignore_merges a word that is itself in the
/// vocabulary is that one token, as Hugging Face's BPE model does.
/// </summary>
public class IgnoreMergesTests
{
    private static TextTokenizer Load(bool ignoreMerges)
    {
        using var folder = new TempFolder("tok");
        File.WriteAllText(folder.File("tokenizer.json"), $$$"""
            {"model": {"type": "BPE", "ignore_merges": {{{(ignoreMerges ? "true" : "false")}}},
                       "vocab": {"a": 0, "b": 1, "c": 2, "bc": 3, "ab": 4, "abc": 5}, "merges": ["b c", "a b", "ab c"]},
             "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "use_regex": true},
             "decoder": {"type": "ByteLevel"}}
            """);
        return TextTokenizer.Load(folder.Path);
    }

    [Fact]
    public void Merges_alone_split_a_word_by_their_ranks() => Load(ignoreMerges: false).Encode("abc").ShouldBe(new[] { 0, 3 });

    [Fact]
    public void With_ignore_merges_a_word_in_the_vocabulary_is_one_token()
    {
        var tokenizer = Load(ignoreMerges: true);

        tokenizer.Encode("abc").ShouldBe(new[] { 5 });
        tokenizer.Encode("abcabc").ShouldBe(new[] { 0, 3, 0, 3 }, "a word not in the vocabulary is still merged");
        tokenizer.Decode(new[] { 5 }).ShouldBe("abc");
    }
}
