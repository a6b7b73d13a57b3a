using System.Linq;
using Kvpr.Text;

namespace Kvpr.Runtime.Tests.Text;

/// <summary>The built-in tokenizer is GPT-2's first 1024 tokens: GPT-2's ids where its vocabulary reaches, lossless everywhere.</summary>
public class BuiltInTokenizerTests
{
    private static readonly TextTokenizer Tokenizer = BuiltInTokenizer.Load();

    [Fact]
    public void Common_words_get_gpt2s_ids()
    {
        // GPT-2's vocabulary: " t" 256, " a" 257, "he" 258, "in" 259, " the" 262, " to" 284, " of" 286, " and" 290.
        Tokenizer.Encode(" the and of to").ShouldBe(new[] { 262, 290, 286, 284 });
        Tokenizer.Encode("in").ShouldBe(new[] { 259 });
    }

    [Theory]
    [InlineData("When a language model writes text, every new token looks back.")]
    [InlineData("naïve café — 日本語 😀 👨‍👩‍👧‍👦\n\ttabs  and   spaces ")]
    [InlineData("")]
    public void Decoding_gives_back_any_text(string text)
    {
        var ids = Tokenizer.Encode(text);

        ids.ShouldAllBe(id => id >= 0 && id < BuiltInTokenizer.VocabularySize);
        Tokenizer.Decode(ids).ShouldBe(text);
    }

    [Fact]
    public void Every_id_of_the_vocabulary_decodes()
    {
        Enumerable.Range(0, BuiltInTokenizer.VocabularySize).ShouldAllBe(id => Tokenizer.Decode(new[] { id }).Length > 0);
    }
}
