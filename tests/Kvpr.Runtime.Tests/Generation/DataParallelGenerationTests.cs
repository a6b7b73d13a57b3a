using System;
using System.Linq;

namespace Kvpr.Runtime.Tests.Generation;

/// <summary>
/// A batch split over N engines on simulated CPU devices, decoding concurrently: Hugging Face's logits and tokens for every
/// fixture, and one engine's tokens over larger batches cut unevenly, with tensor-parallel groups too.
/// </summary>
public class DataParallelGenerationTests
{
    private const float Tolerance = 1e-4f;

    public static TheoryData<string> Fixtures() => new(Checkpoints.Fixtures.Names);

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Each_fixture_over_two_groups_gives_hugging_faces_logits_and_tokens(string fixture)
    {
        var reference = FixtureReference.Get(fixture);
        using var engines = new DataParallelEngine(reference.Weights, 2, new EngineOptions { Split = SplitPolicy.Fraction(0.5) });

        var result = engines.Generate(reference.Prompts, new GenerationOptions { MaxNewTokens = reference.NewTokens, StopOnEos = false, CaptureLogits = true });

        reference.ShouldMatch(result, Tolerance);
    }

    /// <summary>Seven prompts: the fixture's two and five of their rotations, so every group gets different sequences.</summary>
    private static int[][] SevenPrompts(FixtureReference reference) => Enumerable.Range(0, 7)
        .Select(i => reference.Prompts[i % 2].Skip(i / 2).Concat(reference.Prompts[i % 2].Take(i / 2)).ToArray()).ToArray();

    [Theory]
    [InlineData("opt-tiny", 2, 1)]
    [InlineData("opt-tiny", 4, 1)]
    [InlineData("llama-tiny-gqa", 3, 1)]
    [InlineData("qwen2-tiny", 7, 1)]
    [InlineData("llama-tiny", 2, 2)]
    public void Groups_give_one_engines_tokens_over_the_whole_batch(string fixture, int groups, int tensorParallel)
    {
        var reference = FixtureReference.Get(fixture);
        var prompts = SevenPrompts(reference);
        var generation = new GenerationOptions { MaxNewTokens = 8, StopOnEos = false, CaptureLogits = true };
        var options = new EngineOptions { Split = SplitPolicy.Custom(r => (r.Step * 3 + r.Layer) % (r.Length + 1)) };
        using var one = new Engine(reference.Weights, options);
        var whole = one.Generate(prompts, generation);

        using var engines = new DataParallelEngine(reference.Weights, groups, options with { TensorParallel = tensorParallel });
        var split = engines.Generate(prompts, generation);

        split.Tokens.ShouldBe(whole.Tokens);
        for (int s = 0; s < prompts.Length; s++)
            FixtureReference.WorstDifference(split.Logits!.Generated[s], whole.Logits!.Generated[s].SelectMany(row => row).ToArray()).ShouldBeLessThan(1e-5f, $"sequence {s}");
    }

    [Fact]
    public void The_token_callback_numbers_sequences_among_all_prompts_and_stops_the_one_it_names()
    {
        var reference = FixtureReference.Get("opt-tiny");
        var prompts = SevenPrompts(reference);
        using var engines = new DataParallelEngine(reference.Weights, 3);
        var told = new System.Collections.Generic.List<int>();

        var result = engines.Generate(prompts, new GenerationOptions
        {
            MaxNewTokens = 4, StopOnEos = false,
            OnToken = (sequence, _) =>
            {
                told.Add(sequence);
                return sequence == 5 && told.Count(s => s == 5) == 2;
            },
        });

        result.Tokens.Select(t => t.Length).ShouldBe(new[] { 4, 4, 4, 4, 4, 2, 4 });
        told.GroupBy(s => s).OrderBy(g => g.Key).Select(g => g.Count()).ShouldBe(new[] { 4, 4, 4, 4, 4, 2, 4 });
    }

    [Fact]
    public void Bad_groups_prompts_and_devices_are_refused_with_the_reason()
    {
        var reference = FixtureReference.Get("opt-tiny");
        using var engines = new DataParallelEngine(reference.Weights, 3);

        Should.Throw<ArgumentException>(() => engines.Generate(reference.Prompts)).Message
            .ShouldContain("data parallelism over 3 groups needs at least 3 prompts, one per group, but 2 were given");
        var prompts = SevenPrompts(reference);
        prompts[5] = new[] { reference.Spec.Vocab };
        Should.Throw<ArgumentException>(() => engines.Generate(prompts)).Message.ShouldContain($"prompt 5 has token id {reference.Spec.Vocab}");
        Should.Throw<ArgumentOutOfRangeException>(() => new DataParallelEngine(reference.Weights, 0)).ParamName.ShouldBe("groups");
        Should.Throw<NotSupportedException>(() => new DataParallelEngine(reference.Weights, 2, new EngineOptions { Device = ComputeDevice.Cuda })).Message
            .ShouldContain("data parallelism runs on the CPU backend's simulated devices");
    }
}
