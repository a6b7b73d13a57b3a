using System;
using System.Linq;
using Kvpr.Planning;

namespace Kvpr.Compiler.Tests.Planning;

/// <summary>
/// The parallel planner's layouts on closed forms: the paper's ideal cost model (no latencies, no layer compute), every
/// layer's KV offloaded, so a step is the bytes each GPU's link moves over its bandwidth.
/// </summary>
public class ParallelPlannerTests
{
    private const double LinkGBps = 50, Unbounded = 1e5, Slow = 1e-3;
    private static readonly ModelSpec Opt13b = ModelCatalog.Get("opt-13b");
    private static readonly DecodeWorkload Workload = new() { Batch = 32, PromptLength = 1024, MaxNewTokens = 4 };
    private static readonly PlannerOptions Paper = PlannerOptions.Paper(Opt13b);

    /// <summary>
    /// <paramref name="gpus"/> alike GPUs, each on its own link of <see cref="LinkGBps"/> (one sample: no latency) and
    /// GEMMs at <paramref name="teraflops"/>, sharing 2 TiB of host memory read at <paramref name="hostReadGBps"/>.
    /// </summary>
    private static HardwareProfile Host(int gpus, double hostReadGBps = Unbounded, double? interconnectGBps = Unbounded, double teraflops = Slow)
    {
        var link = new[] { new TransferSample(1L << 30, LinkGBps * 1e9) };
        var gemm = new[] { new GemmSample(1024, 4096, 4096, teraflops * 1e12) };
        var h100 = HardwareProfiles.Default;
        return h100 with
        {
            Name = $"{gpus} GPUs",
            HostMemoryBytes = 2L << 40,
            HostToDeviceSamples = link,
            DeviceToHostSamples = link,
            GemmSamples = gemm,
            HostMemoryReadBytesPerSecond = hostReadGBps * 1e9,
            InterconnectBytesPerSecond = interconnectGBps * 1e9,
            OtherGpus = Enumerable.Range(1, gpus - 1).Select(i => new GpuEntry
            {
                Name = $"gpu{i}", GpuMemoryBytes = h100.GpuMemoryBytes, HostToDeviceSamples = link, DeviceToHostSamples = link, GemmSamples = gemm,
            }).ToArray(),
        };
    }

    private static LayoutPrediction Layout(ParallelPlan plan, int tensorParallel) => plan.Layouts.Single(l => l.Layout.TensorParallel == tensorParallel);

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(8)]
    public void Link_bound_GPUs_with_free_interconnect_and_host_memory_speed_up_N_times_split_either_way(int gpus)
    {
        // GEMMs so slow that nothing is recomputed: every rank moves K and V of its own KV heads, every group its own sequences'.
        var plan = ParallelPlanner.Plan(Opt13b, Host(gpus), Workload, gpus, Paper);

        plan.SpeedUp(Layout(plan, gpus)).ShouldBe(gpus, gpus * 1e-6);
        plan.SpeedUp(Layout(plan, 1)).ShouldBe(gpus, gpus * 1e-6);
        foreach (var layout in plan.Layouts)
        {
            layout.Exclusion.ShouldBeNull();
            layout.LinkGBpsPerGpu.ShouldBe(LinkGBps, 1e-6);
            layout.AggregateLinkGBps.ShouldBe(gpus * LinkGBps, 1e-5);
            layout.HostBoundSteps.ShouldBe(0);
        }
    }

    [Theory]
    [InlineData(2, 2)]
    [InlineData(4, 2)]
    [InlineData(8, 2)]
    [InlineData(8, 5)]
    public void Host_memory_caps_the_speed_up_at_its_read_bandwidth_over_one_link(int gpus, double linksHostMemoryFeeds)
    {
        var plan = ParallelPlanner.Plan(Opt13b, Host(gpus, hostReadGBps: linksHostMemoryFeeds * LinkGBps), Workload, gpus, Paper);

        double expected = gpus * Math.Min(1, linksHostMemoryFeeds * LinkGBps / (gpus * LinkGBps));
        foreach (var layout in plan.Layouts)
        {
            plan.SpeedUp(layout).ShouldBe(expected, expected * 1e-6);
            layout.AggregateLinkGBps.ShouldBe(Math.Min(gpus, linksHostMemoryFeeds) * LinkGBps, 1e-5);
            layout.HostMemoryGBps.ShouldBe(layout.AggregateLinkGBps, 1e-9);
            layout.HostBoundSteps.ShouldBe(gpus > linksHostMemoryFeeds ? Workload.MaxNewTokens : 0);
        }
    }

    [Theory]
    [InlineData(2, 1)]
    [InlineData(4, 2)]
    [InlineData(8, 4)]
    public void Tensor_parallel_ranks_each_read_the_whole_activations_so_recompute_saves_them_nothing(int gpus, double expected)
    {
        // Recompute nearly free: one GPU moves X (h wide); a rank moves X whole, as every rank's K and V need all of it, or
        // its share of K and V (2h/N wide), whichever is less: OPT's d_kv = h gives max(1, N/2).
        var plan = ParallelPlanner.Plan(Opt13b, Host(gpus, teraflops: Unbounded), Workload, gpus, Paper);

        plan.SpeedUp(Layout(plan, gpus)).ShouldBe(expected, expected * 0.02);
        plan.SpeedUp(Layout(plan, 1)).ShouldBe(gpus, gpus * 1e-6);
        plan.Best!.Layout.ShouldBe(new ParallelLayout(1, gpus));
    }

    [Fact]
    public void A_slow_interconnect_makes_the_step_its_two_all_reduces_per_layer()
    {
        var plan = ParallelPlanner.Plan(Opt13b, Host(2, interconnectGBps: Slow), Workload, 2, Paper);

        // Two ring all-reduces per layer, each rank sending 2(N - 1)/N of batch x hidden fp16 values.
        double allReduces = Opt13b.Layers * 2 * (2.0 * (2 - 1) / 2) * Workload.Batch * Opt13b.Hidden * 2 / (Slow * 1e9);
        Layout(plan, 2).StepMs.ShouldBe(allReduces * 1000, allReduces * 1e-6);
        plan.Best!.Layout.ShouldBe(new ParallelLayout(1, 2));
    }

    [Fact]
    public void Tensor_parallel_that_does_not_divide_the_heads_is_excluded_with_the_reason()
    {
        var plan = ParallelPlanner.Plan(Opt13b, Host(3), Workload, 3, Paper);

        string reason = Layout(plan, 3).Exclusion!;
        reason.ShouldStartWith("tensor parallel over 3: Heads (40) is not divisible by 3, so the ranks would not get equal shares; model 'opt-13b' splits 1, 2, 4, 5, 8, 10, 20, 40 ways.");
        reason.ShouldContain("KvHeads (40) is not divisible by 3");
        plan.Best!.Layout.ShouldBe(new ParallelLayout(1, 3));
    }

    [Fact]
    public void Data_parallel_needs_a_sequence_per_group()
    {
        var plan = ParallelPlanner.Plan(Opt13b, Host(4), Workload with { Batch = 2 }, 4, Paper);

        Layout(plan, 1).Exclusion.ShouldBe("data parallel over 4: batch 2 gives some of the 4 groups no sequence.");
        Layout(plan, 2).Exclusion.ShouldBeNull();
        Layout(plan, 4).Exclusion.ShouldBeNull();
    }

    [Fact]
    public void The_GPUs_weights_and_host_stores_share_the_hosts_memory()
    {
        // DP 4 holds four host copies of OPT-13B's weights (25.2 GB each) and the store of all 32 sequences at 1028 tokens:
        // X, K and V of every layer (40.4 GB). TP 4 holds one copy in shares, but X on every rank (27 GB more).
        long weights = (long)Opt13b.Layers * Opt13b.LayerWeightElements * Opt13b.ElementBytes;
        long store = (long)Opt13b.Layers * Workload.Batch * Workload.MaxLength * (Opt13b.Hidden + 2L * Opt13b.KvDim) * Opt13b.ElementBytes;
        var plan = ParallelPlanner.Plan(Opt13b, Host(4) with { HostMemoryBytes = 120_000_000_000 }, Workload, 4, Paper);

        Layout(plan, 1).Exclusion.ShouldBe($"host memory: the 4 GPUs' copies of the weights and host stores need {4 * weights + store:N0} bytes together, " +
            "but the budget is 120,000,000,000 bytes.");
        Layout(plan, 4).Exclusion.ShouldBeNull();
        plan.Baseline.Exclusion.ShouldBeNull();
    }

    [Fact]
    public void Tensor_parallel_needs_the_interconnect_in_the_profile()
    {
        var plan = ParallelPlanner.Plan(Opt13b, Host(2, interconnectGBps: null), Workload, 2, Paper);

        Layout(plan, 2).Exclusion.ShouldBe("tensor parallel over 2: hardware profile '2 GPUs' has no interconnectGBps to price the all-reduces.");
        plan.Best!.Layout.ShouldBe(new ParallelLayout(1, 2));
    }

    [Fact]
    public void More_GPUs_than_the_profile_describes_are_refused()
    {
        var error = Should.Throw<ArgumentOutOfRangeException>(() => ParallelPlanner.Plan(Opt13b, HardwareProfiles.Default, Workload, 2));
        error.Message.ShouldContain("2 GPUs cannot be planned: hardware profile 'h100-sxm-pcie5' describes 1 GPU (list a host's other GPUs under otherGpus", Case.Sensitive);
        error.ParamName.ShouldBe("gpus");
        error.ActualValue.ShouldBe(2);
    }

    [Fact]
    public void Layouts_of_N_GPUs_run_from_all_tensor_to_all_data_parallel()
    {
        ParallelLayout.For(8).Select(l => l.ToString()).ShouldBe(new[] { "TP 8", "TP 4 × DP 2", "TP 2 × DP 4", "DP 8" });
        ParallelLayout.For(1).Single().ToString().ShouldBe("1 GPU");
    }

    [Theory]
    [InlineData(32, 8, new[] { 4, 4, 4, 4, 4, 4, 4, 4 })]
    [InlineData(33, 8, new[] { 5, 4, 4, 4, 4, 4, 4, 4 })]
    [InlineData(10, 4, new[] { 3, 3, 2, 2 })]
    public void Data_parallel_parts_share_the_batch_within_a_sequence(int batch, int groups, int[] parts)
    {
        Enumerable.Range(0, groups).Select(g => ParallelPlanner.PartOf(batch, groups, g)).ShouldBe(parts);
    }

    [Fact]
    public void Throughput_picks_data_parallel_whose_gpus_each_move_a_quarter_of_one_gpus_bytes()
    {
        // Recompute nearly free, so every step and the prefill are link-bound. Decode: a DP 4 GPU moves X (h wide) of 8
        // sequences, a quarter of one GPU's bytes; a TP 4 rank moves its KV share (2h/4 wide) of all 32, half. Prefill (256-token
        // chunks at batch 32, one chunk at 8): one GPU writes back X, K and V (3h) of 32 sequences, more than the earlier
        // chunks' X it reloads; a DP 4 GPU writes back those of 8, a quarter; a TP 4 rank writes back X and its KV share
        // (1.5h) of 32 and reloads as much X, half. So DP 4 makes 4 times one GPU's tokens per second, TP 4 twice.
        var plan = ParallelPlanner.Plan(Opt13b, Host(4, teraflops: Unbounded), Workload with { Objective = Objective.Throughput }, 4, Paper);

        plan.Best!.Layout.ShouldBe(new ParallelLayout(1, 4));
        plan.SpeedUp(Layout(plan, 1)).ShouldBe(4, 4e-6);
        plan.SpeedUp(Layout(plan, 4)).ShouldBe(2, 2 * 0.01);
    }
}
