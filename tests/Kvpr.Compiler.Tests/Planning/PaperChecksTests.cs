using System.Linq;
using Kvpr.Lp;
using Kvpr.Planning;

namespace Kvpr.Compiler.Tests.Planning;

/// <summary>The paper's closed forms (Jiang et al. 2024) under its own cost model, on its A100 / PCIe 4.0 setting.</summary>
public class PaperChecksTests
{
    private static readonly HardwareProfile A100 = HardwareProfiles.Stored("a100-pcie4");
    private const double LinkBytesPerSecond = 32e9, GpuFlopsPerSecond = 312e12, ElementBytes = 2;

    /// <summary>Recompute time equals KV transfer time at l/s' = p·v_gpu / (2·h·v_com + p·v_gpu).</summary>
    private static double PaperFraction(int hidden) =>
        ElementBytes * GpuFlopsPerSecond / (2 * hidden * LinkBytesPerSecond + ElementBytes * GpuFlopsPerSecond);

    [Theory]
    [InlineData("opt-6.7b", 0.70)]
    [InlineData("opt-13b", 0.66)]
    [InlineData("opt-30b", 0.58)]
    public void The_split_program_recomputes_the_paper_fraction(string model, double published)
    {
        var spec = ModelCatalog.Get(model);
        var cost = new CostModel(spec, A100, CostSettings.Paper);
        const int batch = 32, length = 1024;
        var program = PlanningProgram.ForSplit(cost, Residency.WeightsOnly(spec), batch, length, 1,
            PlanningProgram.RecomputeSecondsPerToken(cost, batch, length));
        var solution = SimplexSolver.Solve(program.Program);

        solution.Status.ShouldBe(LpStatus.Optimal);
        double fraction = solution[program.RecomputedTokens] / spec.Layers / length;
        fraction.ShouldBe(PaperFraction(spec.Hidden), 1e-6);
        fraction.ShouldBe(published, 0.006);
    }

    [Fact]
    public void Opt_6_7b_at_batch_32_prompt_256_first_recomputes_about_181_tokens_and_more_as_the_sequence_grows()
    {
        var spec = ModelCatalog.Get("opt-6.7b");
        var workload = new DecodeWorkload { Batch = 32, PromptLength = 256, MaxNewTokens = 64 };
        var plan = DecodePlanner.Plan(spec, A100, workload, PlannerOptions.Paper(spec)).GetPlanOrThrow();

        var steps = plan.Steps.ToArray();
        steps.Length.ShouldBe(64);
        steps[0].Length.ShouldBe(256);
        steps[0].RecomputeTokens.ShouldBeInRange(179, 183);
        steps.Zip(steps.Skip(1), (a, b) => b.RecomputeTokens - a.RecomputeTokens).ShouldAllBe(growth => growth >= 0);
        steps[steps.Length - 1].RecomputeTokens.ShouldBeGreaterThan(steps[0].RecomputeTokens + 40);
        foreach (var step in steps)
            ((double)step.RecomputeTokens / step.Length).ShouldBe(PaperFraction(spec.Hidden), 1.5 / step.Length);
    }

    [Fact]
    public void The_paper_step_time_is_what_its_layer_formula_gives_at_the_chosen_split()
    {
        var spec = ModelCatalog.Get("opt-6.7b");
        var workload = new DecodeWorkload { Batch = 32, PromptLength = 256, MaxNewTokens = 1 };
        var step = DecodePlanner.Plan(spec, A100, workload, PlannerOptions.Paper(spec)).GetPlanOrThrow().Steps.Single();
        int l = step.RecomputeTokens;
        double x = 32.0 * l * 4096 * 2 / LinkBytesPerSecond;
        double kv = 2.0 * 32 * (256 - l) * 4096 * 2 / LinkBytesPerSecond;
        double recompute = 2.0 * 32 * l * 4096 * 2 * 4096 / GpuFlopsPerSecond;
        step.Times.PredictedMs.ShouldBe(spec.Layers * (x + System.Math.Max(recompute, kv)) * 1000, 1e-9);
    }

    [Fact]
    public void A_grouped_query_model_whose_kv_is_at_most_half_the_hidden_size_recomputes_nothing()
    {
        // d_kv = 8 kv heads × 128 = 1024; 2·d_kv ≤ h = 4096: a token's KV is cheaper to move than its X.
        var spec = ModelSpec.Llama("llama-gqa-8b", 4096, 32, 32, 8, 14336);
        var workload = new DecodeWorkload { Batch = 32, PromptLength = 1024, MaxNewTokens = 16 };
        var plan = DecodePlanner.Plan(spec, A100, workload, PlannerOptions.Paper(spec)).GetPlanOrThrow();
        plan.Steps.ShouldAllBe(step => step.RecomputeTokens == 0);
    }
}
