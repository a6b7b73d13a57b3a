using System;
using System.Linq;
using System.Threading;
using Kvpr.Graphs;
using Kvpr.Parallelism;
using Kvpr.Planning;

namespace Kvpr.Runtime.Tests.Generation;

/// <summary>
/// A model split over N simulated CPU devices, one thread per rank and an in-process all-reduce, reproduces Hugging
/// Face's logits and greedy tokens: every fixture on 2 ranks, and on 4 where its KV heads allow, under both schedules,
/// with planned and forced splits, and with streamed weights.
/// </summary>
public class TensorParallelGenerationTests
{
    private const float Tolerance = 1e-4f;

    public static TheoryData<string, int, ScheduleKind, int, string> Cases()
    {
        var data = new TheoryData<string, int, ScheduleKind, int, string>();
        foreach (string fixture in Checkpoints.Fixtures.Names)
            foreach (int ranks in TensorParallel.WaysThatWork(FixtureReference.Get(fixture).Spec).Where(n => n > 1))
                foreach (string split in new[] { "planned", "changing" })
                {
                    data.Add(fixture, ranks, ScheduleKind.RowByRow, 1, split);
                    data.Add(fixture, ranks, ScheduleKind.ColumnByColumn, ranks == 2 ? 2 : 3, split);
                }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Logits_and_tokens_match_hugging_face(string fixture, int ranks, ScheduleKind schedule, int microBatches, string split)
    {
        var reference = FixtureReference.Get(fixture);
        using var engine = new Engine(reference.Weights, new EngineOptions
        {
            TensorParallel = ranks, Schedule = schedule, MicroBatches = microBatches, ActivationChunks = 2,
            // The planned split (KV and weights of some layers on the device) or one that changes from step to step and layer to layer.
            Split = split == "planned" ? SplitPolicy.Auto : SplitPolicy.Custom(r => (r.Step * 7 + r.Layer * 3) % (r.Length + 1)),
        });

        var result = engine.Generate(reference.Prompts, new GenerationOptions { MaxNewTokens = reference.NewTokens, StopOnEos = false, CaptureLogits = true });

        reference.ShouldMatch(result, Tolerance);
    }

    [Theory]
    [InlineData("opt-tiny", 4, ScheduleKind.RowByRow, 0, 0)]
    [InlineData("llama-tiny-gqa", 2, ScheduleKind.ColumnByColumn, 0, 0)]
    [InlineData("qwen2-tiny", 2, ScheduleKind.ColumnByColumn, 1, 1)]
    [InlineData("llama3-tiny", 2, ScheduleKind.RowByRow, 1, 0)]
    public void Streamed_weights_of_each_share_give_hugging_faces_logits_and_tokens(string fixture, int ranks, ScheduleKind schedule, int kvResident, int weightsResident)
    {
        var reference = FixtureReference.Get(fixture);
        using var engine = new Engine(reference.Weights, new EngineOptions
        {
            TensorParallel = ranks, Schedule = schedule, MicroBatches = 2, ActivationChunks = 2,
            Split = SplitPolicy.Custom(r => (r.Step * 5 + r.Layer) % (r.Length + 1)),
            Residency = new Residency(kvResident, weightsResident),
        });

        var result = engine.Generate(reference.Prompts, new GenerationOptions { MaxNewTokens = reference.NewTokens, StopOnEos = false, CaptureLogits = true });

        reference.ShouldMatch(result, Tolerance);
        // Rank 0 streams its share of each streamed layer every step: 1/N of the split weights and all of the replicated ones;
        // besides, for each offloaded layer and stored token of every sequence, X (h wide) or its K and V share (2 d_kv/N wide).
        var spec = reference.Spec;
        long weightBytes = 4L * (spec.Layers - weightsResident) * RankLayerWeightElements(spec, ranks);
        int longest = reference.Prompts.Max(p => p.Length) + reference.NewTokens;
        long kvBytes = 4L * (spec.Layers - kvResident) * reference.Prompts.Length * longest * Math.Max(spec.Hidden, 2 * spec.KvDim / ranks);
        result.Steps.Skip(1).ShouldAllBe(step => step.HostToDeviceBytes >= weightBytes && step.HostToDeviceBytes <= weightBytes + kvBytes);
    }

    /// <summary>
    /// A rank's weight elements of one layer, from the whole model's dimensions: 1/N of Q, K, V, the attention output, the
    /// MLP and their biases along the split axis; the output and down biases (rank 0 adds them) and the norms whole.
    /// </summary>
    private static long RankLayerWeightElements(ModelSpec spec, int ranks)
    {
        long h = spec.Hidden, q = spec.QueryDim, kv = spec.KvDim, f = spec.FfnHidden;
        long split = 2 * h * q + 2 * h * kv + (spec.AttentionBias ? q + 2 * kv : 0) + (spec.GatedMlp ? 3 : 2) * h * f + (spec.MlpBias ? f * (spec.GatedMlp ? 2 : 1) : 0);
        long whole = (spec.AttentionOutputBias ? h : 0) + (spec.MlpBias ? h : 0) + (spec.Norm == NormKind.LayerNorm ? 4 * h : 2 * h);
        return split / ranks + whole;
    }

    [Fact]
    public void Greedy_tokens_without_captured_logits_are_hugging_faces()
    {
        var reference = FixtureReference.Get("llama-tiny");
        using var engine = new Engine(reference.Weights, new EngineOptions { TensorParallel = 4, Split = SplitPolicy.Fraction(0.5) });

        var result = engine.Generate(reference.Prompts, new GenerationOptions { MaxNewTokens = reference.NewTokens, StopOnEos = false });

        result.Tokens.ShouldBe(reference.GeneratedTokens);
    }

    [Fact]
    public void Seeded_sampling_stopping_at_eos_picks_what_one_device_picks()
    {
        // Every rank samples from the same logits with the same seed, so they stop together; one device's logits differ from
        // the ranks' sum by float rounding only, far below what would move a seeded draw.
        var reference = FixtureReference.Get("mistral-tiny");
        var sampling = new GenerationOptions
        {
            MaxNewTokens = reference.NewTokens, StopOnEos = false, Sampling = new Kvpr.Sampling.SamplingOptions { Temperature = 1.5, TopK = 20, Seed = 11 },
        };
        using var whole = new Engine(reference.Weights, new EngineOptions { Split = SplitPolicy.Fraction(0.5) });
        using var split = new Engine(reference.Weights, new EngineOptions { TensorParallel = 2, Split = SplitPolicy.Fraction(0.5) });
        // The fourth token sequence 0 samples ends it there, as an EOS.
        var options = sampling with { StopOnEos = true, EosTokenIds = [whole.Generate(reference.Prompts, sampling).Tokens[0][3]] };

        var tokens = split.Generate(reference.Prompts, options).Tokens;

        tokens.ShouldBe(whole.Generate(reference.Prompts, options).Tokens);
        tokens[0].Length.ShouldBeLessThanOrEqualTo(4);
    }

    [Fact]
    public void The_token_callback_is_told_each_token_once_and_every_rank_stops_where_it_says()
    {
        var reference = FixtureReference.Get("qwen2-tiny");
        using var engine = new Engine(reference.Weights, new EngineOptions { TensorParallel = 2, Split = SplitPolicy.Fraction(0.5) });
        var told = new System.Collections.Generic.List<(int Sequence, int Token)>();

        var result = engine.Generate(reference.Prompts, new GenerationOptions
        {
            MaxNewTokens = reference.NewTokens, StopOnEos = false,
            OnToken = (sequence, token) =>
            {
                told.Add((sequence, token));
                return sequence == 0 && told.Count(t => t.Sequence == 0) == 3;
            },
        });

        result.Tokens[0].ShouldBe(reference.GeneratedTokens[0].Take(3));
        result.Tokens[1].ShouldBe(reference.GeneratedTokens[1]);
        told.Count.ShouldBe(3 + reference.NewTokens);
    }

    [Fact]
    public void Ways_that_do_not_divide_the_heads_are_refused_naming_the_dimension_and_the_ways_that_work()
    {
        var reference = FixtureReference.Get("llama-tiny-gqa");

        var error = Should.Throw<ArgumentException>(() => new Engine(reference.Weights, new EngineOptions { TensorParallel = 4 }));

        error.Message.ShouldContain("KvHeads (2) is not divisible by 4");
        error.Message.ShouldContain("splits 1, 2 ways");
        Should.Throw<ArgumentOutOfRangeException>(() => new Engine(reference.Weights, new EngineOptions { TensorParallel = 0 })).ParamName.ShouldBe(nameof(EngineOptions.TensorParallel));
    }

    [Fact]
    public void Cuda_is_refused_until_the_ranks_can_run_on_several_gpus()
    {
        var reference = FixtureReference.Get("opt-tiny");

        var error = Should.Throw<NotSupportedException>(() => new Engine(reference.Weights, new EngineOptions { TensorParallel = 2, Device = ComputeDevice.Cuda }));

        error.Message.ShouldContain("tensor parallelism runs on the CPU backend's simulated devices; multi-GPU execution needs NCCL and several GPUs");
    }

    [Fact]
    public void A_cancelled_generation_releases_every_rank_and_the_next_one_still_matches()
    {
        var reference = FixtureReference.Get("opt-tiny");
        using var engine = new Engine(reference.Weights, new EngineOptions { TensorParallel = 2, Split = SplitPolicy.All });
        using var cancellation = new CancellationTokenSource();
        var progress = new SynchronousProgress(step =>
        {
            if (step.Step == 2)
                cancellation.Cancel();
        });

        Should.Throw<OperationCanceledException>(() => engine.Generate(reference.Prompts, new GenerationOptions { MaxNewTokens = reference.NewTokens }, cancellation.Token, progress));

        var result = engine.Generate(reference.Prompts, new GenerationOptions { MaxNewTokens = reference.NewTokens, StopOnEos = false, CaptureLogits = true });
        reference.ShouldMatch(result, Tolerance);
    }
}
