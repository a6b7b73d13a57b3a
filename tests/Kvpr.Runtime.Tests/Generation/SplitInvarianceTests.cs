using System;
using System.Collections.Generic;
using System.Linq;
using Kvpr.Graphs;
using Kvpr.Planning;

namespace Kvpr.Runtime.Tests.Generation;

/// <summary>Recomputing any prefix of the stored tokens, or keeping KV on the device, changes no logit.</summary>
public class SplitInvarianceTests
{
    private const int NewTokens = 12;

    [Theory]
    [InlineData("opt-tiny", 1)]
    [InlineData("llama-tiny", 2)]
    [InlineData("llama-tiny-gqa", 3)]
    [InlineData("llama3-tiny", 4)]
    [InlineData("llama-linear-tiny", 5)]
    [InlineData("mistral-tiny", 6)]
    [InlineData("qwen2-tiny", 7)]
    public void Random_splits_give_the_logits_of_transferring_everything(string fixture, int seed)
    {
        var reference = FixtureReference.Get(fixture);
        var baseline = Generate(reference, new EngineOptions { Split = SplitPolicy.None });

        for (int trial = 0; trial < 4; trial++)
        {
            var random = new Random(seed * 100 + trial);
            var schedule = trial % 2 == 0 ? ScheduleKind.RowByRow : ScheduleKind.ColumnByColumn;
            var options = new EngineOptions
            {
                Schedule = schedule,
                MicroBatches = 2,
                ActivationChunks = random.Next(1, 4),
                Split = SplitPolicy.Custom(r => random.Next(0, r.Length + 1)),
            };

            var logits = Generate(reference, options);

            MaxDifference(logits, baseline).ShouldBeLessThan(1e-5f, $"trial {trial}, {schedule}, {options.ActivationChunks} chunk(s)");
        }
    }

    [Theory]
    [InlineData("opt-tiny")]
    [InlineData("llama-tiny-gqa")]
    [InlineData("mistral-tiny")]
    public void Keeping_a_layers_kv_on_the_device_gives_the_same_logits(string fixture)
    {
        var reference = FixtureReference.Get(fixture);
        var workload = new DecodeWorkload { Batch = reference.Prompts.Length, PromptLength = reference.PromptLength, MaxNewTokens = NewTokens };
        var plan = DecodePlanner.Plan(reference.Spec, HardwareProfiles.Default, workload,
            new PlannerOptions { FixedResidency = new Residency(1, reference.Spec.Layers) }).GetPlanOrThrow();
        plan.Residency.KvResidentLayers.ShouldBe(1);

        var withResidentLayer = Generate(reference, new EngineOptions { Split = SplitPolicy.FromPlan(plan) }, out var steps);

        steps.Skip(1).ShouldAllBe(s => s.RecomputeTokens[0] == 0);
        MaxDifference(withResidentLayer, Generate(reference, new EngineOptions { Split = SplitPolicy.All })).ShouldBeLessThan(1e-5f);
    }

    [Theory]
    [InlineData(HardwareProfiles.DefaultName)]
    [InlineData("t4-pcie3")]
    public void The_automatic_plan_reproduces_the_reference_tokens(string profile)
    {
        var reference = FixtureReference.Get("llama-tiny");
        using var engine = new Engine(reference.Weights, new EngineOptions { Split = SplitPolicy.AutoFor(HardwareProfiles.Stored(profile)) });

        var result = engine.Generate(reference.Prompts, new GenerationOptions { MaxNewTokens = reference.NewTokens, StopOnEos = false });

        result.Tokens.ShouldBe(reference.GeneratedTokens);
    }

    private static float[][] Generate(FixtureReference reference, EngineOptions options) => Generate(reference, options, out _);

    private static float[][] Generate(FixtureReference reference, EngineOptions options, out IReadOnlyList<StepStatistics> steps)
    {
        using var engine = new Engine(reference.Weights, options);
        var result = engine.Generate(reference.Prompts, new GenerationOptions { MaxNewTokens = NewTokens, StopOnEos = false, CaptureLogits = true });
        steps = result.Steps;
        return result.Logits!.Generated.Select(rows => rows.SelectMany(r => r).ToArray()).ToArray();
    }

    private static float MaxDifference(float[][] a, float[][] b) =>
        a.Zip(b, (x, y) => x.Zip(y, (u, v) => Math.Abs(u - v)).Max()).Max();
}
