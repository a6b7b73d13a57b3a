using System;
using System.Linq;
using Kvpr.Graphs;
using Kvpr.Planning;

namespace Kvpr.Runtime.Tests.Generation;

/// <summary>
/// A prompt prefilled in chunks, each attending to the chunks before it (brought back from the host store as K and V,
/// or recomputed from X when the store keeps no K and V), gives Hugging Face's prefill logits at every position and its
/// greedy tokens, with KV and weights resident or offloaded and streamed, under both schedules.
/// </summary>
public class ChunkedPrefillTests
{
    private const float Tolerance = 1e-4f;

    public static TheoryData<string, string, int, int, ScheduleKind> Cases()
    {
        var data = new TheoryData<string, string, int, int, ScheduleKind>();
        foreach (string fixture in Checkpoints.Fixtures.Names)
            foreach (string split in new[] { "changing", "all" })
                foreach (var (kv, weights) in new[] { (0, 0), (1, 2) })
                    foreach (var schedule in new[] { ScheduleKind.RowByRow, ScheduleKind.ColumnByColumn })
                        data.Add(fixture, split, kv, weights, schedule);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_prompt_prefilled_in_chunks_gives_hugging_faces_logits_and_tokens(string fixture, string split, int kvResident, int weightsResident, ScheduleKind schedule)
    {
        var reference = FixtureReference.Get(fixture);
        int sequences = reference.Prompts.Length;
        using var engine = new Engine(reference.Weights, new EngineOptions
        {
            Schedule = schedule, MicroBatches = 2, ActivationChunks = 2,
            Split = split == "all" ? SplitPolicy.All : SplitPolicy.Custom(r => (r.Step * 3 + r.Layer) % (r.Length + 1)),
            Residency = new Residency(kvResident, weightsResident),
            // Three prompt tokens a chunk for the largest micro-batch.
            PrefillRows = 3 * (schedule == ScheduleKind.RowByRow ? sequences : (sequences + 1) / 2),
        });

        var result = engine.Generate(reference.Prompts, new GenerationOptions { MaxNewTokens = reference.NewTokens, StopOnEos = false, CaptureLogits = true });

        reference.PromptLength.ShouldBeGreaterThan(3);
        result.Steps.Count.ShouldBe(reference.NewTokens);
        for (int s = 0; s < sequences; s++)
        {
            result.Tokens[s].ShouldBe(reference.GeneratedTokens[s], $"sequence {s}");
            FixtureReference.WorstDifference(result.Logits!.Prefill[s], reference.PrefillLogits[s]).ShouldBeLessThan(Tolerance, $"prefill logits of sequence {s}");
            FixtureReference.WorstDifference(result.Logits.Generated[s], reference.StepLogits[s]).ShouldBeLessThan(Tolerance, $"step logits of sequence {s}");
        }
    }

    [Fact]
    public void The_plan_counts_scratch_for_a_prefill_chunk_not_the_whole_prompt()
    {
        var spec = ModelCatalog.Get("opt-6.7b");
        var shape = DeviceBufferShape.For(new DecodeWorkload { Batch = 32, PromptLength = 1024, MaxNewTokens = 32 });

        shape.MaxNewTokens.ShouldBe(DeviceBufferShape.DefaultPrefillRows / 32);
        var qkv = DeviceBufferList.For(spec, shape, new Residency(0, 32)).Single(b => b.Role == DeviceBufferRole.Qkv);
        qkv.Bytes.ShouldBe(8192L * (3 * 4096) * 2);
    }
}
