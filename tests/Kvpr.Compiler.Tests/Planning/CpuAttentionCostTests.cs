using System;
using Kvpr.Planning;

namespace Kvpr.Compiler.Tests.Planning;

/// <summary>The cost model's CPU lane and host-memory bound, against their formulas.</summary>
public class CpuAttentionCostTests
{
    private static readonly ModelSpec Opt67 = ModelCatalog.Get("opt-6.7b");

    [Fact]
    public void Cpu_attention_reads_k_and_v_at_the_profiles_rate_and_pays_a_query_and_partial_round_trip()
    {
        var profile = HostProfiles.H100;
        var cost = new CostModel(Opt67, profile);
        // OPT-6.7B: 32 heads of 128. Queries: 32 · 32 · 128 fp32; partials: two more floats (max, sum) per head.
        cost.HostQueryBytes(32).ShouldBe(32L * 32 * 128 * 4);
        cost.HostPartialBytes(32).ShouldBe(32L * 32 * 130 * 4);
        double roundTrip = profile.DeviceToHost.Seconds(32 * 32 * 128 * 4) + profile.HostToDevice.Seconds(32 * 32 * 130 * 4) + 2 * profile.KernelLaunchSeconds;
        double kv = 2.0 * 32 * 300 * 4096 * 2;
        cost.HostAttentionSeconds(32, 300).ShouldBe(kv / 105e9 + roundTrip, 1e-15);
        cost.HostAttentionSeconds(32, 0).ShouldBe(0);
    }

    [Theory]
    [InlineData("llama-3-8b", 4)]
    [InlineData("llama-3-70b", 8)]
    [InlineData("opt-6.7b", 1)]
    public void A_grouped_query_row_costs_one_widening_and_a_dot_product_and_sum_per_head(string model, int group)
    {
        var spec = ModelCatalog.Get(model);
        (spec.Heads / spec.KvHeads).ShouldBe(group);
        double kvPerToken = 2.0 * 32 * spec.KvDim * 2;
        // Without the grouped figure a row of g heads is g multi-head rows.
        new CostModel(spec, HostProfiles.H100).HostAttentionSecondsPerToken(32).ShouldBe(kvPerToken * group / 105e9, 1e-15);
        // With it the cost per byte is the line through 1/105 GB/s at one head and 1/45 GB/s at four: t(g) = t1 + (g - 1)(t4 - t1)/3.
        var grouped = HostProfiles.H100 with { HostGroupedAttentionBytesPerSecond = 45e9 };
        double t1 = 1 / 105e9, t4 = 1 / 45e9;
        new CostModel(spec, grouped).HostAttentionSecondsPerToken(32).ShouldBe(kvPerToken * (t1 + (group - 1) * (t4 - t1) / 3), 1e-15);
        // A grouped figure faster than one head's is noise: no row costs less than one head's.
        new CostModel(spec, HostProfiles.H100 with { HostGroupedAttentionBytesPerSecond = 200e9 }).HostAttentionSecondsPerToken(32)
            .ShouldBe(kvPerToken / 105e9, 1e-15);
    }

    [Fact]
    public void A_step_without_host_tokens_has_no_cpu_lane_and_costs_what_it_did()
    {
        var cost = new CostModel(Opt67, HostProfiles.H100);
        var residency = Residency.WeightsOnly(Opt67);
        var step = cost.Step(new StepShape(32, 1024, 700, 0), residency);
        step.HostAttentionSeconds.ShouldBe(0);
        step.HostMemorySeconds.ShouldBe(0);
        step.ShouldBe(new CostModel(Opt67, HardwareProfiles.Default).Step(new StepShape(32, 1024, 700), residency));
    }

    [Fact]
    public void The_cpu_lane_and_host_memory_of_a_three_way_step_follow_their_formulas()
    {
        var cost = new CostModel(Opt67, HostProfiles.H100);
        int b = 32, s = 1024, l = 400, host = 300, transferred = s - l - host, layers = Opt67.Layers, microBatches = 2;
        var step = cost.Step(new StepShape(b, s, l, host), Residency.WeightsOnly(Opt67), microBatches);

        step.HostAttentionSeconds.ShouldBe(microBatches * layers * cost.HostAttentionSeconds(b, host), 1e-12);
        // The link reads X of [0, l) and K, V of [l, s' − h); the CPU K, V of [s' − h, s'): all from host memory.
        double bytes = microBatches * layers * ((double)b * l * 4096 * 2 + 2.0 * b * (transferred + host) * 4096 * 2);
        step.HostMemorySeconds.ShouldBe(bytes / 150e9, 1e-12);
        // The link carries only what it did before less the CPU's K and V.
        step.LinkSeconds.ShouldBe(cost.Step(new StepShape(b, s, l, 0), Residency.WeightsOnly(Opt67), microBatches).LinkSeconds
            - microBatches * layers * (cost.KvTransferSeconds(b, s - l) - cost.KvTransferSeconds(b, transferred)), 1e-12);
        step.Seconds.ShouldBeGreaterThanOrEqualTo(Math.Max(step.HostAttentionSeconds, step.HostMemorySeconds));
    }

    [Fact]
    public void Host_tokens_beyond_what_the_recomputed_ones_leave_are_refused()
    {
        var cost = new CostModel(Opt67, HostProfiles.H100);
        Should.Throw<ArgumentOutOfRangeException>(() => cost.Step(new StepShape(32, 100, 60, 41), Residency.WeightsOnly(Opt67)));
        Should.Throw<ArgumentOutOfRangeException>(() => cost.Step(new StepShape(32, 100, 0, -1), Residency.WeightsOnly(Opt67)));
    }

    [Fact]
    public void A_profile_that_never_measured_the_host_cannot_price_cpu_attention()
    {
        var cost = new CostModel(Opt67, HardwareProfiles.Default);
        Should.Throw<InvalidOperationException>(() => cost.HostAttentionSeconds(32, 10)).Message.ShouldContain("hostAttentionGBps");
        Should.Throw<InvalidOperationException>(() => cost.Step(new StepShape(32, 100, 0, 10), Residency.WeightsOnly(Opt67))).Message.ShouldContain("h100-sxm-pcie5");
    }
}
