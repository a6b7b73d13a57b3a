using System;
using System.Linq;
using Kvpr.Graphs;

namespace Kvpr.Runtime.Tests.Generation;

/// <summary>
/// Decoding the fixture checkpoints reproduces Hugging Face's logits and greedy tokens for every way of
/// splitting the stored tokens into recomputed and transferred ones, under both schedules.
/// </summary>
public class FixtureGenerationTests
{
    private const float Tolerance = 1e-4f;

    public static TheoryData<string, string, ScheduleKind> Cases()
    {
        var data = new TheoryData<string, string, ScheduleKind>();
        foreach (string fixture in Checkpoints.Fixtures.Names)
            foreach (string split in new[] { "none", "all", "changing" })
                foreach (var schedule in new[] { ScheduleKind.RowByRow, ScheduleKind.ColumnByColumn })
                    data.Add(fixture, split, schedule);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Logits_and_tokens_match_hugging_face(string fixture, string split, ScheduleKind schedule)
    {
        var reference = FixtureReference.Get(fixture);
        var policy = split switch
        {
            "none" => SplitPolicy.None,
            "all" => SplitPolicy.All,
            // A partial split that differs from step to step and from layer to layer.
            _ => SplitPolicy.Custom(r => (r.Step * 7 + r.Layer * 3) % (r.Length + 1)),
        };
        using var engine = new Engine(reference.Weights, new EngineOptions { Schedule = schedule, MicroBatches = 2, ActivationChunks = 2, Split = policy });

        var result = engine.Generate(reference.Prompts, new GenerationOptions { MaxNewTokens = reference.NewTokens, StopOnEos = false, CaptureLogits = true });

        for (int s = 0; s < reference.Prompts.Length; s++)
        {
            result.Tokens[s].ShouldBe(reference.GeneratedTokens[s], $"sequence {s}");
            ShouldMatch(result.Logits!.Prefill[s], reference.PrefillLogits[s], $"prefill logits of sequence {s}");
            ShouldMatch(result.Logits.Generated[s], reference.StepLogits[s], $"step logits of sequence {s}");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Greedy_tokens_without_captured_logits_match_hugging_face(string fixture, string split, ScheduleKind schedule)
    {
        var reference = FixtureReference.Get(fixture);
        var policy = split switch { "none" => SplitPolicy.None, "all" => SplitPolicy.All, _ => SplitPolicy.Fraction(0.5) };
        using var engine = new Engine(reference.Weights, new EngineOptions { Schedule = schedule, MicroBatches = 2, ActivationChunks = 2, Split = policy });

        // Without captured logits the backend picks greedy tokens itself (on the GPU for CUDA).
        var result = engine.Generate(reference.Prompts, new GenerationOptions { MaxNewTokens = reference.NewTokens, StopOnEos = false });

        result.Logits.ShouldBeNull();
        for (int s = 0; s < reference.Prompts.Length; s++)
            result.Tokens[s].ShouldBe(reference.GeneratedTokens[s], $"sequence {s}");
    }

    private static void ShouldMatch(System.Collections.Generic.IReadOnlyList<float[]> actual, float[] expected, string what)
    {
        int vocab = actual[0].Length;
        actual.Count.ShouldBe(expected.Length / vocab, what);
        for (int row = 0; row < actual.Count; row++)
        {
            float worst = 0;
            for (int i = 0; i < vocab; i++)
                worst = Math.Max(worst, Math.Abs(actual[row][i] - expected[row * vocab + i]));
            worst.ShouldBeLessThan(Tolerance, $"{what}, row {row}");
        }
    }
}
