using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Kvpr.Runtime.Tests.Generation;
using Kvpr.Text;

namespace Kvpr.Runtime.Tests.Text;

/// <summary>
/// Text generation on the opt-tiny fixture with the built-in tokenizer (whose 1024 tokens cover the model's 512): the
/// ids are Hugging Face's greedy continuation, and each way of stopping cuts that continuation where it should.
/// </summary>
public class TextGeneratorTests
{
    private static readonly FixtureReference Reference = FixtureReference.Get("opt-tiny");
    private static readonly TextTokenizer Tokenizer = BuiltInTokenizer.Load();

    /// <summary>No end-of-sequence id the model can produce, so runs go as far as the reference's (which ignored EOS).</summary>
    private static readonly int[] NoEos = { int.MaxValue };

    private static TextGenerationResult Generate(IReadOnlyList<TextRequest> requests, TextGenerationOptions options, int[]? eos = null,
        Action<int, string>? onText = null, Action<TextCompletion>? onFinished = null)
    {
        using var engine = new Engine(Reference.Weights);
        return new TextGenerator(engine, Tokenizer, eos ?? NoEos).Generate(requests, options, onText: onText, onFinished: onFinished);
    }

    private static TextRequest[] ReferencePrompts() => Reference.Prompts.Select(prompt => new TextRequest(prompt)).ToArray();

    [Fact]
    public void Completions_hold_the_hugging_face_greedy_ids_and_their_text()
    {
        var result = Generate(ReferencePrompts(), new TextGenerationOptions { MaxNewTokens = 20 });

        for (int s = 0; s < Reference.Prompts.Length; s++)
        {
            var completion = result.Completions[s];
            completion.Index.ShouldBe(s);
            completion.TokenIds.ShouldBe(Reference.GeneratedTokens[s]);
            completion.Text.ShouldBe(Tokenizer.Decode(Reference.GeneratedTokens[s], skipSpecialTokens: true));
            completion.FinishReason.ShouldBe(FinishReason.Length);
            completion.PromptTokens.ShouldBe(Reference.PromptLength);
        }
    }

    [Fact]
    public void Each_request_stops_at_its_own_token_limit()
    {
        var requests = ReferencePrompts();
        requests[0] = requests[0] with { MaxNewTokens = 3 };

        var result = Generate(requests, new TextGenerationOptions { MaxNewTokens = 20 });

        result.Completions[0].TokenIds.ShouldBe(Reference.GeneratedTokens[0][..3]);
        result.Completions[1].TokenIds.ShouldBe(Reference.GeneratedTokens[1]);
    }

    [Fact]
    public void An_end_of_sequence_id_ends_its_sequence_and_is_kept_in_the_ids()
    {
        int eos = Reference.GeneratedTokens[0][5];
        int stop = Array.IndexOf(Reference.GeneratedTokens[0], eos);

        var result = Generate(ReferencePrompts(), new TextGenerationOptions { MaxNewTokens = 20 }, eos: new[] { eos });

        result.Completions[0].TokenIds.ShouldBe(Reference.GeneratedTokens[0][..(stop + 1)]);
        result.Completions[0].FinishReason.ShouldBe(FinishReason.Eos);
    }

    [Fact]
    public void A_stop_string_ends_the_sequence_and_the_text_before_it()
    {
        var full = Generate(ReferencePrompts(), new TextGenerationOptions { MaxNewTokens = 20 }).Completions[0];
        full.Text.Length.ShouldBeGreaterThan(6, "the reference continuation decodes to some text");
        string stop = full.Text.Substring(full.Text.Length / 2, 2);
        int at = full.Text.IndexOf(stop, StringComparison.Ordinal);

        var stopped = Generate(ReferencePrompts(), new TextGenerationOptions { MaxNewTokens = 20, StopStrings = new[] { stop } }).Completions[0];

        stopped.FinishReason.ShouldBe(FinishReason.Stop);
        stopped.Text.ShouldBe(full.Text[..at]);
        full.TokenIds.Take(stopped.TokenIds.Length).ShouldBe(stopped.TokenIds);
        Tokenizer.Decode(stopped.TokenIds[..^1], skipSpecialTokens: true).ShouldNotContain(stop);
    }

    [Fact]
    public void Streamed_pieces_add_up_to_each_text_and_finished_sequences_are_reported_once()
    {
        var streamed = new[] { new StringBuilder(), new StringBuilder() };
        var finished = new List<TextCompletion>();

        var result = Generate(ReferencePrompts(), new TextGenerationOptions { MaxNewTokens = 20 },
            onText: (sequence, delta) => streamed[sequence].Append(delta), onFinished: finished.Add);

        streamed.Select(text => text.ToString()).ShouldBe(result.Completions.Select(c => c.Text));
        string Describe(TextCompletion c) => $"{c.Index} {string.Join(",", c.TokenIds)} {c.Text} {c.FinishReason}";
        finished.OrderBy(c => c.Index).Select(Describe).ShouldBe(result.Completions.Select(Describe));
    }

    [Fact]
    public void Text_prompts_are_encoded_with_the_checkpoints_special_tokens()
    {
        var text = Tokenizer.Decode(Reference.Prompts[0], skipSpecialTokens: true);
        using var engine = new Engine(Reference.Weights);

        var result = new TextGenerator(engine, Tokenizer, NoEos).Generate(new[] { text }, new TextGenerationOptions { MaxNewTokens = 2 });

        result.Completions[0].PromptTokens.ShouldBe(Tokenizer.Encode(text).Length);
    }
}
