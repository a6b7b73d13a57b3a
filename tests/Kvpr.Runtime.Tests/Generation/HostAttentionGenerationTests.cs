using System;
using System.Linq;
using Kvpr.Graphs;
using Kvpr.Planning;
using Kvpr.Runtime.Cuda.Selftest;

namespace Kvpr.Runtime.Tests.Generation;

/// <summary>
/// A three-way split of every offloaded layer's stored tokens — [0, l) recomputed, [l, l₂) transferred, [l₂, s')
/// attended to by the CPU in the host store and merged with the device's share by the log-sum-exp combine — computes
/// what decoding with the cache on the device does: the fixtures reproduce Hugging Face's logits and greedy tokens for
/// random splits and the extremes (all on the CPU, none, the CPU's share next to an empty transfer or recompute), both
/// schedules, one to three micro-batches, KV and weights resident for some layers.
/// </summary>
public class HostAttentionGenerationTests
{
    private const float Tolerance = 1e-4f;

    /// <summary>(name, l and the CPU's tokens) per split; the changing one is the GPU selftest's, which varies every step and layer.</summary>
    private static readonly (string Name, Func<SplitRequest, SplitDecision> Decide)[] Splits =
    {
        ("all on the CPU", r => new SplitDecision(0, r.Length)),
        ("recompute and CPU", r => new SplitDecision(r.Length / 2, r.Length - r.Length / 2)),
        ("transfer and CPU", r => new SplitDecision(0, r.Length / 3)),
        ("three ways", r => new SplitDecision(r.Length / 4, r.Length / 3)),
        ("changing", BackendSelftest.ChangingThreeWaySplit),
        ("no CPU share", r => new SplitDecision(r.Length / 2, 0)),
    };

    public static TheoryData<string, int, ScheduleKind, int, int> Cases()
    {
        var data = new TheoryData<string, int, ScheduleKind, int, int>();
        foreach (string fixture in Checkpoints.Fixtures.Names.Where(name => !name.StartsWith("mistral", StringComparison.Ordinal)))
            for (int split = 0; split < Splits.Length; split++)
            {
                data.Add(fixture, split, ScheduleKind.RowByRow, 1, 0);
                data.Add(fixture, split, ScheduleKind.ColumnByColumn, 1 + split % 3, split % 2);
            }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_cpu_share_gives_hugging_faces_logits_and_tokens(string fixture, int split, ScheduleKind schedule, int microBatches, int residentLayers)
    {
        var reference = FixtureReference.Get(fixture);
        var decide = Splits[split].Decide;
        using var engine = new Engine(reference.Weights, new EngineOptions
        {
            Schedule = schedule, MicroBatches = microBatches, ActivationChunks = 2,
            Split = SplitPolicy.Custom(decide),
            Residency = new Residency(residentLayers, reference.Spec.Layers - residentLayers),
        });

        var result = engine.Generate(reference.Prompts, new GenerationOptions { MaxNewTokens = reference.NewTokens, StopOnEos = false, CaptureLogits = true });

        for (int s = 0; s < reference.Prompts.Length; s++)
        {
            result.Tokens[s].ShouldBe(reference.GeneratedTokens[s], $"sequence {s}");
            FixtureReference.WorstDifference(result.Logits!.Generated[s], reference.StepLogits[s]).ShouldBeLessThan(Tolerance, $"step logits of sequence {s}");
        }
    }

    [Fact]
    public void A_cpu_share_beyond_the_stored_tokens_is_refused_with_the_numbers()
    {
        var reference = FixtureReference.Get("opt-tiny");
        using var engine = new Engine(reference.Weights, new EngineOptions { Split = SplitPolicy.Custom(r => new SplitDecision(r.Length, 1)) });

        var error = Should.Throw<InvalidOperationException>(() => engine.Generate(reference.Prompts, new GenerationOptions { MaxNewTokens = 2 }));

        error.Message.ShouldContain("gave the CPU 1 tokens");
    }

    [Fact]
    public void A_cpu_share_for_a_sliding_window_model_is_refused_naming_the_window()
    {
        var reference = FixtureReference.Get("mistral-tiny");
        using var engine = new Engine(reference.Weights, new EngineOptions { Split = SplitPolicy.Custom(r => new SplitDecision(0, r.Length)) });

        var error = Should.Throw<NotSupportedException>(() => engine.Generate(reference.Prompts, new GenerationOptions { MaxNewTokens = 2 }));

        error.Message.ShouldContain("sliding window");
    }
}
