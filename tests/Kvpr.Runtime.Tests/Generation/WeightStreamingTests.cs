using System;
using System.Linq;
using Kvpr.Graphs;
using Kvpr.Planning;

namespace Kvpr.Runtime.Tests.Generation;

/// <summary>
/// Layers whose weights stream through the two weight slots compute what resident layers do: the fixtures reproduce
/// Hugging Face's logits and greedy tokens with every layer's weights streamed and with some streamed, under both
/// schedules and one to four micro-batches.
/// </summary>
public class WeightStreamingTests
{
    private const float Tolerance = 1e-4f;

    public static TheoryData<string, int, int, ScheduleKind, int> Cases()
    {
        var data = new TheoryData<string, int, int, ScheduleKind, int>();
        foreach (string fixture in Checkpoints.Fixtures.Names)
            foreach (var (kv, weights) in new[] { (0, 0), (1, 1) })
            {
                data.Add(fixture, kv, weights, ScheduleKind.RowByRow, 1);
                for (int microBatches = 1; microBatches <= 4; microBatches++)
                    data.Add(fixture, kv, weights, ScheduleKind.ColumnByColumn, microBatches);
            }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Streamed_weights_give_hugging_faces_logits_and_tokens(string fixture, int kvResident, int weightsResident, ScheduleKind schedule, int microBatches)
    {
        var reference = FixtureReference.Get(fixture);
        using var engine = new Engine(reference.Weights, new EngineOptions
        {
            Schedule = schedule, MicroBatches = microBatches, ActivationChunks = 2,
            Split = SplitPolicy.Custom(r => (r.Step * 5 + r.Layer) % (r.Length + 1)),
            Residency = new Residency(kvResident, weightsResident),
        });

        var result = engine.Generate(reference.Prompts, new GenerationOptions { MaxNewTokens = reference.NewTokens, StopOnEos = false, CaptureLogits = true });

        reference.ShouldMatch(result, Tolerance);
        // Every decode step copies each streamed layer's weights once, whatever the micro-batches.
        int layers = reference.Spec.Layers;
        long weightBytes = 4L * (layers - weightsResident) * reference.Spec.LayerWeightElements;
        result.Steps.Skip(1).ShouldAllBe(step => step.HostToDeviceBytes >= weightBytes);
    }

    [Theory]
    [InlineData("opt-tiny")]
    [InlineData("llama-tiny-gqa")]
    public void An_engine_runs_a_plan_that_streams_every_layers_weights_as_planned(string fixture)
    {
        var reference = FixtureReference.Get(fixture);
        var spec = reference.Spec;
        var workload = new DecodeWorkload { Batch = reference.Prompts.Length, PromptLength = reference.PromptLength, MaxNewTokens = reference.NewTokens };
        var plan = DecodePlanner.Plan(spec, HardwareProfiles.Default, workload, new PlannerOptions { FixedResidency = new Residency(0, 0) }).GetPlanOrThrow();
        using var engine = new Engine(reference.Weights, new EngineOptions { Split = SplitPolicy.FromPlan(plan) });

        var result = engine.Generate(reference.Prompts, new GenerationOptions { MaxNewTokens = reference.NewTokens, StopOnEos = false });

        for (int s = 0; s < reference.Prompts.Length; s++)
            result.Tokens[s].ShouldBe(reference.GeneratedTokens[s], $"sequence {s}");
        result.Steps.ShouldAllBe(step => step.HostToDeviceBytes >= 4L * spec.Layers * spec.LayerWeightElements);
    }
}
