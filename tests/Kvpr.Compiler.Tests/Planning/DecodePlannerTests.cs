using System.Linq;
using Kvpr.Planning;

namespace Kvpr.Compiler.Tests.Planning;

public class DecodePlannerTests
{
    private static readonly ModelSpec Opt67 = ModelCatalog.Get("opt-6.7b");
    private static readonly HardwareProfile H100 = HardwareProfiles.Default;

    [Fact]
    public void With_memory_to_spare_every_layer_keeps_its_kv_and_weights_and_nothing_is_recomputed()
    {
        var workload = new DecodeWorkload { Batch = 8, PromptLength = 512, MaxNewTokens = 32 };
        var plan = DecodePlanner.Plan(Opt67, H100, workload).GetPlanOrThrow();

        plan.Residency.ShouldBe(new Residency(Opt67.Layers, Opt67.Layers));
        plan.Steps.ShouldAllBe(step => step.RecomputeTokens == 0);
        plan.GpuBytes.ShouldBeLessThanOrEqualTo(plan.GpuBudgetBytes);
    }

    [Fact]
    public void Under_a_cap_that_holds_the_weights_but_not_one_more_layer_of_kv_the_weights_stay_and_the_kv_is_recomputed()
    {
        var workload = new DecodeWorkload { Batch = 32, PromptLength = 1024, MaxNewTokens = 32 };
        var memory = new MemoryModel(new CostModel(Opt67, H100), workload);
        long cap = memory.BytesFor(Residency.WeightsOnly(Opt67)) + memory.ResidentKvBytesPerLayer / 2;
        var plan = DecodePlanner.Plan(Opt67, H100, workload with { GpuMemoryBytes = cap }).GetPlanOrThrow();

        plan.Residency.ShouldBe(Residency.WeightsOnly(Opt67));
        plan.GpuBudgetBytes.ShouldBe(cap);
        // On the H100 recomputing every token (≈ 94 ms of GEMMs) hides under its activations' transfer (157 ms),
        // so the plan sends only activations and the step approaches the all-recompute floor.
        var first = plan.Steps.First();
        first.RecomputeTokens.ShouldBe(first.Length);
        first.Times.PredictedMs.ShouldBeLessThan(first.Times.FloorAllKvMs);
        first.Times.PredictedMs.ShouldBeGreaterThan(first.Times.FloorAllRecomputeMs);
        first.Times.PredictedMs.ShouldBeLessThan(first.Times.FloorAllRecomputeMs * 1.03);
    }

    [Fact]
    public void Planning_for_resident_weights_offloads_kv_where_the_free_choice_would_stream_weights()
    {
        // A tiny model whose KV is smaller than its weights: with room for the weights alone, the free planner
        // keeps the KV and streams the weights; an engine that holds all weights needs the opposite.
        var tiny = ModelCatalog.Get(ModelCatalog.TinyName);
        var workload = new DecodeWorkload { Batch = 4, PromptLength = 16, MaxNewTokens = 8 };
        long cap = new MemoryModel(new CostModel(tiny, H100), workload).BytesFor(Residency.WeightsOnly(tiny));

        var free = DecodePlanner.Plan(tiny, H100, workload with { GpuMemoryBytes = cap }).GetPlanOrThrow();
        free.Residency.WeightResidentLayers.ShouldBeLessThan(tiny.Layers);

        var forEngine = DecodePlanner.Plan(tiny, H100, workload with { GpuMemoryBytes = cap }, new PlannerOptions { ResidentWeights = true }).GetPlanOrThrow();
        forEngine.Residency.ShouldBe(Residency.WeightsOnly(tiny));

        var error = DecodePlanner.Plan(tiny, H100, workload with { GpuMemoryBytes = cap - 1 }, new PlannerOptions { ResidentWeights = true }).Errors.Single();
        error.Code.ShouldBe(ErrorCodes.WorkloadDoesNotFit);
        error.Message.ShouldContain("with every layer's weights resident and its KV offloaded");
        error.Message.ShouldContain("1 bytes are missing");
    }

    [Fact]
    public void A_cap_too_small_for_anything_is_KVPR008_naming_the_missing_bytes()
    {
        var workload = new DecodeWorkload { Batch = 32, PromptLength = 1024, MaxNewTokens = 32, GpuMemoryBytes = 1_000_000_000 };
        long needed = new MemoryModel(new CostModel(Opt67, H100), workload).BytesFor(new Residency(0, 0));
        var result = DecodePlanner.Plan(Opt67, H100, workload);

        result.Succeeded.ShouldBeFalse();
        var error = result.Errors.ShouldHaveSingleItem();
        error.Code.ShouldBe(ErrorCodes.WorkloadDoesNotFit);
        error.Field.ShouldBe(nameof(DecodeWorkload.GpuMemoryBytes));
        error.Message.ShouldContain($"{needed - 1_000_000_000:N0} bytes are missing");
        Should.Throw<System.InvalidOperationException>(() => result.GetPlanOrThrow()).Message.ShouldContain("KVPR008");
    }

    [Fact]
    public void A_cap_above_the_devices_memory_does_not_raise_the_budget()
    {
        var workload = new DecodeWorkload { Batch = 8, PromptLength = 512, MaxNewTokens = 8, GpuMemoryBytes = 1L << 40 };
        DecodePlanner.Plan(Opt67, H100, workload).GetPlanOrThrow().GpuBudgetBytes.ShouldBe(H100.GpuMemoryBytes);
    }

    [Fact]
    public void Invalid_workloads_are_reported_not_planned()
    {
        var result = DecodePlanner.Plan(Opt67, H100, new DecodeWorkload { Batch = 0, PromptLength = 16, MaxNewTokens = 4 });
        result.Errors.ShouldContain(e => e.Code == ErrorCodes.InvalidWorkload && e.Field == "Batch");
    }

    [Fact]
    public void A_host_store_larger_than_host_memory_is_KVPR008_naming_host_memory()
    {
        var spec = ModelCatalog.Get("opt-66b");
        var workload = new DecodeWorkload { Objective = Objective.Throughput, Batch = 8, MicroBatches = 8, PromptLength = 512, MaxNewTokens = 8 };
        var error = DecodePlanner.Plan(spec, H100, workload).Errors.ShouldHaveSingleItem();
        error.Code.ShouldBe(ErrorCodes.WorkloadDoesNotFit);
        error.Field.ShouldBe(nameof(HardwareProfile.HostMemoryBytes));
        error.Message.ShouldContain("host memory");
    }

    [Fact]
    public void A_host_cap_counts_every_layers_weights_and_only_the_activations_when_every_token_is_recomputed()
    {
        // On the H100 profile OPT-6.7B recomputes every stored token (l = s'), so the store keeps X and no K, V.
        var workload = new DecodeWorkload { Batch = 32, PromptLength = 1024, MaxNewTokens = 8, GpuMemoryBytes = 16_000_000_000 };
        long weights = 32L * Opt67.LayerWeightElements * 2, activations = 32L * 32 * 1032 * Opt67.Hidden * 2;
        var plan = DecodePlanner.Plan(Opt67, H100, workload with { HostMemoryBytes = weights + activations }).GetPlanOrThrow();
        plan.Residency.KvResidentLayers.ShouldBe(0);
        plan.Table.Rows.ShouldAllBe(row => row.RecomputeFraction == 1);

        var error = DecodePlanner.Plan(Opt67, H100, workload with { HostMemoryBytes = weights + activations - 1 }).Errors.ShouldHaveSingleItem();
        error.Field.ShouldBe(nameof(DecodeWorkload.HostMemoryBytes));
        error.Message.ShouldContain("1 bytes are missing");
    }

    [Fact]
    public void Micro_batches_that_share_streamed_weights_generate_tokens_faster_than_one_batch()
    {
        // OPT-30B's 60 GB of weights cannot stay within a 30 GB cap: some stream every step.
        var spec = ModelCatalog.Get("opt-30b");
        var workload = new DecodeWorkload { Batch = 8, PromptLength = 512, MaxNewTokens = 8, GpuMemoryBytes = 30_000_000_000 };
        var latency = DecodePlanner.Plan(spec, H100, workload).GetPlanOrThrow();
        var throughput = DecodePlanner.Plan(spec, H100, workload with { Objective = Objective.Throughput, MicroBatches = 8 }).GetPlanOrThrow();

        latency.Residency.WeightResidentLayers.ShouldBeLessThan(spec.Layers);
        throughput.Residency.WeightResidentLayers.ShouldBeLessThan(spec.Layers);
        throughput.PredictedMsPerToken.ShouldBeLessThan(latency.PredictedMsPerToken / 2);
        // One step of the group takes longer than one step of one batch, but serves 8 times the tokens.
        throughput.Steps.First().Times.PredictedMs.ShouldBeGreaterThan(latency.Steps.First().Times.PredictedMs);
    }

    [Fact]
    public void The_table_covers_every_decode_step_and_every_batch_bucket()
    {
        var workload = new DecodeWorkload { Batch = 24, PromptLength = 1000, MaxNewTokens = 100, GpuMemoryBytes = 20_000_000_000 };
        var plan = DecodePlanner.Plan(Opt67, H100, workload, PlannerOptions.Default with { MaxLengthBuckets = 8 }).GetPlanOrThrow();

        plan.Table.Rows.Select(r => r.Batch).Distinct().ShouldBe(new[] { 1, 2, 4, 8, 16, 24 });
        foreach (var batch in new[] { 1, 2, 4, 8, 16, 24 })
        {
            var rows = plan.Table.Rows.Where(r => r.Batch == batch).ToArray();
            rows.Length.ShouldBe(8);
            rows[0].FromLength.ShouldBe(1000);
            rows[rows.Length - 1].ToLength.ShouldBe(1099);
            rows.Zip(rows.Skip(1), (a, b) => b.FromLength - a.ToLength).ShouldAllBe(gap => gap == 1);
        }
        plan.Steps.Select(s => s.Length).ShouldBe(Enumerable.Range(1000, 100));
    }

    [Fact]
    public void Predictions_at_bucket_ends_are_the_cost_model_at_the_rounded_split()
    {
        var workload = new DecodeWorkload { Batch = 32, PromptLength = 1024, MaxNewTokens = 64, GpuMemoryBytes = 20_000_000_000 };
        var plan = DecodePlanner.Plan(Opt67, H100, workload, PlannerOptions.Default with { MaxLengthBuckets = 4 }).GetPlanOrThrow();
        var cost = new CostModel(Opt67, H100);
        foreach (var row in plan.Table.Rows.Where(r => r.Batch == 32))
        {
            foreach (int length in new[] { row.FromLength, row.ToLength })
            {
                var step = plan.Table.Lookup(32, length);
                step.Times.PredictedMs.ShouldBe(cost.Step(step.Shape, plan.Residency).Seconds * 1000, 1e-9);
            }
        }
    }

    [Fact]
    public void The_chosen_split_is_no_slower_than_any_other_split_at_that_length()
    {
        var workload = new DecodeWorkload { Batch = 32, PromptLength = 1024, MaxNewTokens = 1, GpuMemoryBytes = 20_000_000_000 };
        var plan = DecodePlanner.Plan(Opt67, H100, workload).GetPlanOrThrow();
        var cost = new CostModel(Opt67, H100);
        var step = plan.Steps.Single();
        double best = Enumerable.Range(0, 1025).Min(l => cost.Step(new StepShape(32, 1024, l), plan.Residency).Seconds);
        (step.Times.PredictedMs / 1000).ShouldBe(best, best * 1e-3);
    }
}
