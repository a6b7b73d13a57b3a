using System.Linq;
using Kvpr.Planning;

namespace Kvpr.Compiler.Tests.Planning;

/// <summary>The planner's CPU attention modes: off, auto (never slower than off), a fixed share, and where it is refused.</summary>
public class CpuAttentionPlannerTests
{
    private static readonly ModelSpec Opt67 = ModelCatalog.Get("opt-6.7b");
    private static readonly DecodeWorkload Workload = new() { Batch = 32, PromptLength = 1024, MaxNewTokens = 64 };

    private static PlanResult Plan(ModelSpec spec, HardwareProfile profile, CpuAttentionMode mode, DecodeWorkload? workload = null) =>
        DecodePlanner.Plan(spec, profile, workload ?? Workload,
            PlannerOptions.Default with { FixedResidency = Residency.WeightsOnly(spec), CpuAttention = mode, MaxLengthBuckets = 4 });

    [Fact]
    public void Auto_is_off_for_a_profile_that_never_measured_the_host()
    {
        var auto = Plan(Opt67, HardwareProfiles.Default, CpuAttentionMode.Auto).GetPlanOrThrow();
        auto.ShouldBe(Plan(Opt67, HardwareProfiles.Default, CpuAttentionMode.Off).GetPlanOrThrow());
        auto.Steps.ShouldAllBe(step => step.HostTokens == 0);
        auto.Table.UsesHostAttention.ShouldBeFalse();
    }

    [Fact]
    public void Auto_gives_the_cpu_tokens_and_is_never_slower_than_off()
    {
        var auto = Plan(Opt67, HostProfiles.H100, CpuAttentionMode.Auto).GetPlanOrThrow();
        var off = Plan(Opt67, HostProfiles.H100, CpuAttentionMode.Off).GetPlanOrThrow();

        auto.Table.UsesHostAttention.ShouldBeTrue();
        off.Table.UsesHostAttention.ShouldBeFalse();
        foreach (var (withCpu, without) in auto.Steps.Zip(off.Steps))
        {
            withCpu.HostTokens.ShouldBeGreaterThan(0);
            (withCpu.RecomputeTokens + withCpu.TransferredTokens + withCpu.HostTokens).ShouldBe(withCpu.Length);
            withCpu.Times.PredictedMs.ShouldBeLessThan(without.Times.PredictedMs);
        }
        // The target for OPT-6.7B b32: at most 0.65 of the recompute-and-transfer step.
        auto.PredictedGenerationMs.ShouldBeLessThan(0.65 * off.PredictedGenerationMs);
    }

    [Theory]
    [InlineData(0.25)]
    [InlineData(0.6)]
    [InlineData(1.0)]
    public void A_fixed_share_gives_the_cpu_its_floor_of_every_steps_stored_tokens(double fraction)
    {
        var plan = Plan(Opt67, HostProfiles.H100, CpuAttentionMode.Share(fraction)).GetPlanOrThrow();
        foreach (var step in plan.Steps)
        {
            step.HostTokens.ShouldBe((int)System.Math.Floor(fraction * step.Length), $"s' = {step.Length}");
            (step.RecomputeTokens + step.TransferredTokens).ShouldBe(step.Length - step.HostTokens);
        }
    }

    [Fact]
    public void A_share_of_zero_plans_as_off()
    {
        Plan(Opt67, HostProfiles.H100, CpuAttentionMode.Share(0)).GetPlanOrThrow()
            .ShouldBe(Plan(Opt67, HostProfiles.H100, CpuAttentionMode.Off).GetPlanOrThrow());
    }

    [Fact]
    public void A_share_for_a_profile_that_never_measured_the_host_is_refused_naming_the_fields()
    {
        var error = Plan(Opt67, HardwareProfiles.Default, CpuAttentionMode.Share(0.3)).Errors.ShouldHaveSingleItem();
        error.Code.ShouldBe(ErrorCodes.InvalidValue);
        error.Field.ShouldBe(nameof(PlannerOptions.CpuAttention));
        error.Message.ShouldContain("hostMemoryReadGBps");
        error.Message.ShouldContain("h100-sxm-pcie5");
    }

    [Fact]
    public void A_sliding_window_model_gets_no_cpu_share_and_a_fixed_one_is_refused()
    {
        var mistral = ModelCatalog.Get("mistral-7b");
        var workload = Workload with { MaxNewTokens = 4 };
        Plan(mistral, HostProfiles.H100, CpuAttentionMode.Auto, workload).GetPlanOrThrow().Table.UsesHostAttention.ShouldBeFalse();
        Plan(mistral, HostProfiles.H100, CpuAttentionMode.Share(0.5), workload).Errors.ShouldHaveSingleItem().Message.ShouldContain("sliding window");
    }

    [Fact]
    public void A_plan_with_cpu_attention_counts_its_pinned_buffers_on_the_host_and_nothing_more_on_the_device()
    {
        var workload = Workload with { MicroBatches = 2, Objective = Objective.Throughput };
        var plan = Plan(Opt67, HostProfiles.H100, CpuAttentionMode.Share(0.5), workload).GetPlanOrThrow();
        var cost = new CostModel(Opt67, HostProfiles.H100);
        var with = new MemoryModel(cost, workload, hostAttention: true);
        var without = new MemoryModel(cost, workload);

        plan.GpuBytes.ShouldBe(with.BytesFor(plan.Residency));
        // The combine reads the CPU's partials where the CPU wrote them, in pinned host memory.
        with.BytesFor(plan.Residency).ShouldBe(without.BytesFor(plan.Residency));
        // Each micro-batch pins its queries (32 · 32 · 128 fp32) and partials (32 · 32 · 130 fp32).
        (with.HostBytesFor(plan.Residency, keepsKv: true) - without.HostBytesFor(plan.Residency, keepsKv: true)).ShouldBe(2 * (32L * 32 * 128 * 4 + 32L * 32 * 130 * 4));
    }

    [Fact]
    public void A_row_recomputes_at_most_what_the_cpus_share_leaves()
    {
        var times = new StepTimes(1, 2, 3);
        var row = new PlanRow(1, 100, 200, 0.5, times, times, HostFraction: 0.6);
        row.HostTokensAt(101).ShouldBe(60);
        row.RecomputeTokensAt(101).ShouldBe(41);
        var small = new PlanRow(1, 100, 200, 0.2, times, times, HostFraction: 0.3);
        (small.RecomputeTokensAt(150), small.HostTokensAt(150)).ShouldBe((30, 45));
        Should.Throw<System.ArgumentException>(() => new PlanTable(new[] { new PlanRow(1, 1, 2, 0, times, times, HostFraction: 1.5) }))
            .Message.ShouldContain("host fraction");
    }
}
