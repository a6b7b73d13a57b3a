using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Kvpr.Graphs;
using Kvpr.Sampling;

namespace Kvpr.Runtime.Tests.Generation;

/// <summary>The engine's contract around generation: inputs it refuses, when it stops, what it reports.</summary>
public class EngineTests
{
    private static readonly ModelSpec Tiny = ModelSpec.Llama("test-llama", hidden: 32, layers: 2, heads: 4, kvHeads: 2, ffnHidden: 48, vocab: 64, maxPositions: 40);
    private static readonly ModelWeights TinyWeights = RandomWeights.Create(Tiny, seed: 5);
    private static readonly int[][] TwoPrompts = { new[] { 1, 2, 3, 4 }, new[] { 9, 8, 7, 6 } };

    [Fact]
    public void A_token_outside_the_vocabulary_is_named_by_sequence_and_position()
    {
        using var engine = new Engine(TinyWeights);
        var error = Should.Throw<ArgumentException>(() => engine.Generate(new[] { new[] { 1, 2 }, new[] { 3, 64 } }));
        error.Message.ShouldContain("prompt 1");
        error.Message.ShouldContain("position 1");
        error.Message.ShouldContain(ErrorCodes.InvalidPrompt);
    }

    [Fact]
    public void Empty_prompts_and_prompts_running_past_the_positions_are_refused()
    {
        using var engine = new Engine(TinyWeights);
        Should.Throw<ArgumentException>(() => engine.Generate(new[] { Array.Empty<int>() })).Message.ShouldContain("prompt 0 is empty");
        Should.Throw<ArgumentException>(() => engine.Generate(Array.Empty<int[]>()));
        Should.Throw<ArgumentException>(() => engine.Generate(TwoPrompts, new GenerationOptions { MaxNewTokens = 37 })).Message.ShouldContain("40 positions");
    }

    [Fact]
    public void A_disposed_engine_refuses_to_generate()
    {
        var engine = new Engine(TinyWeights);
        engine.Dispose();
        Should.Throw<ObjectDisposedException>(() => engine.Generate(TwoPrompts));
    }

    [Fact]
    public void A_sequence_stops_at_its_end_of_sequence_token_and_keeps_it()
    {
        using var engine = new Engine(TinyWeights, new EngineOptions { Split = SplitPolicy.None });
        var free = engine.Generate(TwoPrompts, new GenerationOptions { MaxNewTokens = 10, StopOnEos = false });
        int eos = free.Tokens[0][3];

        var stopped = engine.Generate(TwoPrompts, new GenerationOptions { MaxNewTokens = 10, EosTokenIds = new[] { eos } });

        int firstEos = Array.IndexOf(free.Tokens[0], eos);
        stopped.Tokens[0].ShouldBe(free.Tokens[0].Take(firstEos + 1).ToArray());
        int otherEos = Array.IndexOf(free.Tokens[1], eos);
        stopped.Tokens[1].ShouldBe(otherEos < 0 ? free.Tokens[1] : free.Tokens[1].Take(otherEos + 1).ToArray());
    }

    [Fact]
    public void Cancellation_between_steps_stops_the_generation()
    {
        using var engine = new Engine(TinyWeights, new EngineOptions { Split = SplitPolicy.None });
        using var cancellation = new CancellationTokenSource();
        var seen = new List<StepStatistics>();
        var progress = new SynchronousProgress(step =>
        {
            seen.Add(step);
            if (step.Step == 2)
                cancellation.Cancel();
        });

        Should.Throw<OperationCanceledException>(() => engine.Generate(TwoPrompts, new GenerationOptions { MaxNewTokens = 10 }, cancellation.Token, progress));
        seen.Select(s => s.Step).ShouldBe(new[] { 0, 1, 2 });
    }

    [Fact]
    public void Statistics_count_the_bytes_each_split_moves()
    {
        const int prompt = 4, newTokens = 5, sequences = 2;
        int h = Tiny.Hidden, kv = Tiny.KvDim, layers = Tiny.Layers;
        using var engine = new Engine(TinyWeights, new EngineOptions { Split = SplitPolicy.Custom(r => r.Layer == 0 ? r.Length : r.Step % 2) });

        var steps = engine.Generate(TwoPrompts, new GenerationOptions { MaxNewTokens = newTokens, StopOnEos = false }).Steps;

        steps.Count.ShouldBe(newTokens);
        steps[0].IsPrefill.ShouldBeTrue();
        steps[0].HostToDeviceBytes.ShouldBe(0);
        steps[0].DeviceToHostBytes.ShouldBe(4L * sequences * prompt * (h + 2 * kv) * layers);
        foreach (var step in steps.Skip(1))
        {
            int length = prompt + step.Step - 1;
            step.Length.ShouldBe(length);
            step.RecomputeTokens.ShouldBe(new[] { length, step.Step % 2 });
            long loaded = step.RecomputeTokens.Sum(l => (long)l * h + 2L * (length - l) * kv);
            step.HostToDeviceBytes.ShouldBe(4L * sequences * loaded);
            step.DeviceToHostBytes.ShouldBe(4L * sequences * (h + 2 * kv) * layers);
            step.Times.Total.ShouldBeGreaterThan(TimeSpan.Zero);
        }
    }

    [Fact]
    public void Seeded_sampling_is_reproducible_and_independent_of_the_schedule()
    {
        var sampling = new GenerationOptions { MaxNewTokens = 8, StopOnEos = false, Sampling = new SamplingOptions { Temperature = 1.5, TopK = 20, TopP = 0.95, Seed = 3 } };
        using var rows = new Engine(TinyWeights, new EngineOptions { Split = SplitPolicy.Fraction(0.5) });
        using var columns = new Engine(TinyWeights, new EngineOptions { Schedule = ScheduleKind.ColumnByColumn, Split = SplitPolicy.None });
        var greedy = rows.Generate(TwoPrompts, sampling with { Sampling = SamplingOptions.Greedy }).Tokens;

        var first = rows.Generate(TwoPrompts, sampling).Tokens;

        columns.Generate(TwoPrompts, sampling).Tokens.ShouldBe(first);
        first.ShouldNotBe(greedy);
    }

    [Fact]
    public void Column_by_column_splits_an_odd_batch_into_uneven_micro_batches()
    {
        var prompts = new[] { new[] { 1, 2, 3 }, new[] { 4, 5, 6 }, new[] { 7, 8, 9 } };
        using var rows = new Engine(TinyWeights, new EngineOptions { Split = SplitPolicy.None });
        using var columns = new Engine(TinyWeights, new EngineOptions { Schedule = ScheduleKind.ColumnByColumn, MicroBatches = 2, Split = SplitPolicy.All });
        var options = new GenerationOptions { MaxNewTokens = 6, StopOnEos = false };

        columns.Generate(prompts, options).Tokens.ShouldBe(rows.Generate(prompts, options).Tokens);
    }

    [Fact]
    public void Prompts_of_different_lengths_decode_as_if_each_length_ran_alone()
    {
        var prompts = new[] { new[] { 1, 2, 3 }, new[] { 4, 5 }, new[] { 6, 7, 8 } };
        using var engine = new Engine(TinyWeights, new EngineOptions { Split = SplitPolicy.Fraction(0.5) });
        var options = new GenerationOptions { MaxNewTokens = 5, StopOnEos = false, CaptureLogits = true };

        var mixed = engine.Generate(prompts, options);

        var threes = engine.Generate(new[] { prompts[0], prompts[2] }, options);
        var two = engine.Generate(new[] { prompts[1] }, options);
        mixed.Tokens.ShouldBe(new[] { threes.Tokens[0], two.Tokens[0], threes.Tokens[1] });
        mixed.Logits!.Generated[1].ShouldBe(two.Logits!.Generated[0]);
        mixed.Logits.Prefill[2].ShouldBe(threes.Logits!.Prefill[1]);
        mixed.Steps.Select(s => (s.Step, s.Sequences)).ShouldBe(threes.Steps.Concat(two.Steps).Select(s => (s.Step, s.Sequences)));
    }
}
