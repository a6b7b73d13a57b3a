using System.Linq;
using Kvpr.Lp;
using Kvpr.Planning;

namespace Kvpr.Compiler.Tests.Planning;

/// <summary>
/// The split program with the CPU's share against closed forms. Under the paper's ideal cost model, with every layer
/// offloaded, the step is the busiest of the link (X of λ, K and V of the transferred tokens at v), the host's memory
/// (the link's bytes and the CPU's K and V at R), the CPU (its K and V at A, a round trip per layer) and the GPU.
/// </summary>
public class ThreeWaySplitTests
{
    private static readonly ModelSpec Opt67 = ModelCatalog.Get("opt-6.7b");
    private static readonly ModelSpec Llama3 = ModelCatalog.Get("llama-3-8b");

    private static LpSolution Solve(CostModel cost, int batch, int length, out PlanningProgram program)
    {
        program = PlanningProgram.ForSplit(cost, Residency.WeightsOnly(cost.Spec), batch, length, 1,
            PlanningProgram.RecomputeSecondsPerToken(cost, batch, length / 2), CpuAttentionMode.Auto);
        var solution = SimplexSolver.Solve(program.Program);
        solution.Status.ShouldBe(LpStatus.Optimal);
        return solution;
    }

    [Fact]
    public void With_an_infinitely_fast_cpu_a_gqa_step_is_bound_by_host_memory_alone()
    {
        // K, V of a token (2·b·d_kv·p) are half its X (b·h·p), so nothing is recomputed; however the link and the CPU share
        // the K and V, every byte of them is read from host memory once: T = L·s'·K / R.
        var profile = HostProfiles.With(HardwareProfiles.Default, hostReadGBps: 150, hostAttentionGBps: 100_000);
        var cost = new CostModel(Llama3, profile, CostSettings.Paper);
        int b = 32, s = 2048;
        var solution = Solve(cost, b, s, out var program);

        double kvPerToken = 2.0 * b * 1024 * 2;
        double floor = Llama3.Layers * s * kvPerToken / 150e9;
        solution.ObjectiveValue.ShouldBe(floor, 1e-9 * floor);
        solution[program.RecomputedTokens].ShouldBe(0, 1e-6);
        // The link carries at most what it can in that time; the CPU takes the rest.
        solution[program.HostTokens!].ShouldBeGreaterThanOrEqualTo(Llama3.Layers * s * (1 - profile.HostToDevice.BytesPerSecond / 150e9) - 1e-6);
    }

    [Fact]
    public void With_unbounded_host_memory_a_gqa_step_balances_the_link_against_the_cpu_and_its_round_trips()
    {
        // Per layer: link K·t/v = CPU g·K·(s' − t)/A + r, a grouped row costing its group's g = 4 query heads at the
        // multi-head rate A, so T = L·(g·K·s' + A·r) / (A + g·v).
        var profile = HostProfiles.With(HardwareProfiles.Default, hostReadGBps: 100_000, hostAttentionGBps: 60);
        var cost = new CostModel(Llama3, profile, CostSettings.Paper);
        int b = 32, s = 2048;
        var solution = Solve(cost, b, s, out _);

        double kvPerToken = 2.0 * b * 1024 * 2, v = profile.HostToDevice.BytesPerSecond, a = 60e9, roundTrip = cost.HostRoundTripSeconds(b), g = 4;
        double expected = Llama3.Layers * (g * kvPerToken * s + a * roundTrip) / (a + g * v);
        solution.ObjectiveValue.ShouldBe(expected, 1e-9 * expected);
    }

    /// <summary>The pipelined model on ideal hardware without layer compute: link, GPU, CPU and host memory overlap across layers.</summary>
    private static readonly CostSettings Pipelined = CostSettings.Default with { IdealHardware = true, ChargeLayerCompute = false, ChargeWriteBack = false };

    [Fact]
    public void Opt_6_7b_at_batch_32_reaches_the_issues_three_resource_floor_of_about_85_ms()
    {
        // X of a token is half its K and V. The link carries only X (recomputed on a GPU that keeps up) and then drains D
        // (the last chunk's recompute, charged at l = s'), the CPU reads the others' K and V, and host memory feeds both:
        // x·λ = v·(T − D) and x·λ + 2x·(L·s' − λ) = R·T give T = (2x·L·s' + v·D) / (R + v).
        var cost = new CostModel(Opt67, HostProfiles.H100, Pipelined);
        int b = 32, s = 1024;
        var solution = Solve(cost, b, s, out var program);

        double x = (double)b * 4096 * 2, v = HardwareProfiles.Default.HostToDevice.BytesPerSecond, drain = cost.PipelineDrainSeconds(new StepShape(b, s, s));
        double floor = (2 * x * Opt67.Layers * s + v * drain) / (150e9 + v);
        solution.ObjectiveValue.ShouldBe(floor, 1e-9 * floor);
        // Without the drain this is the issue's floor: 17.2 GB of K and V over R + v = 204 GB/s.
        (2 * x * Opt67.Layers * s / (150e9 + v)).ShouldBe(0.084, 0.001);
        (solution[program.RecomputedTokens] + solution[program.HostTokens!]).ShouldBe(Opt67.Layers * s, 1e-6 * s);
    }

    [Fact]
    public void The_planned_integral_split_is_priced_within_one_percent_of_the_programs_optimum()
    {
        var options = PlannerOptions.Default with { Cost = Pipelined, FixedResidency = Residency.WeightsOnly(Opt67), CpuAttention = CpuAttentionMode.Auto };
        var plan = DecodePlanner.Plan(Opt67, HostProfiles.H100, new DecodeWorkload { Batch = 32, PromptLength = 1024, MaxNewTokens = 2 }, options).GetPlanOrThrow();
        double optimumMs = Solve(new CostModel(Opt67, HostProfiles.H100, Pipelined), 32, 1024, out _).ObjectiveValue * 1e3;

        var step = plan.Table.Lookup(32, 1024);
        step.HostTokens.ShouldBeGreaterThan(0);
        (step.RecomputeTokens + step.TransferredTokens + step.HostTokens).ShouldBe(1024);
        step.Times.PredictedMs.ShouldBe(optimumMs, 0.01 * optimumMs);
    }
}
