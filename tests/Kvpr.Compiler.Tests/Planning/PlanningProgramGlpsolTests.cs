using System.Linq;
using Kvpr.Compiler.Tests.Lp;
using Kvpr.Lp;
using Kvpr.Planning;

namespace Kvpr.Compiler.Tests.Planning;

/// <summary>The planner's programs, exported as CPLEX LP text and solved by GLPK, have the optima our simplex finds.</summary>
public class PlanningProgramGlpsolTests
{
    [GlpsolFact]
    public void Residency_and_split_programs_agree_with_glpsol()
    {
        var h100 = HardwareProfiles.Default;
        var cases = new[]
        {
            (ModelCatalog.Get("opt-6.7b"), new DecodeWorkload { Batch = 32, PromptLength = 1024, MaxNewTokens = 32, GpuMemoryBytes = 20_000_000_000 }),
            (ModelCatalog.Get("opt-30b"), new DecodeWorkload { Objective = Objective.Throughput, Batch = 8, MicroBatches = 4, PromptLength = 512, MaxNewTokens = 64, GpuMemoryBytes = 40_000_000_000 }),
            (ModelCatalog.Get("llama-2-13b"), new DecodeWorkload { Batch = 16, PromptLength = 2048, MaxNewTokens = 128, GpuMemoryBytes = 32_000_000_000 }),
        };
        foreach (var (spec, workload) in cases)
        {
            var cost = new CostModel(spec, h100);
            var memory = new MemoryModel(cost, workload);
            double perToken = PlanningProgram.RecomputeSecondsPerToken(cost, workload.Batch, workload.MaxLength / 2);
            var programs = new[] { true, false }
                .SelectMany(kv => new[] { true, false }.Select(weights => PlanningProgram.ForResidency(cost, memory, workload, kv, weights, perToken)))
                .Append(PlanningProgram.ForSplit(cost, new Residency(spec.Layers / 4, spec.Layers / 2), workload.Batch, workload.PromptLength, workload.MicroBatches, perToken));
            foreach (var program in programs)
            {
                var ours = SimplexSolver.Solve(program.Program);
                var glpk = Glpsol.Solve(CplexLpWriter.Write(program.Program));
                ours.Status.ShouldBe(glpk.Status, $"{spec.Name} {program.Program.Name}");
                if (ours.Status == LpStatus.Optimal)
                    ours.ObjectiveValue.ShouldBe(glpk.Objective, 1e-6 * glpk.Objective, $"{spec.Name} {program.Program.Name}");
            }
        }
    }

    [GlpsolFact]
    public void Programs_with_a_cpu_share_agree_with_glpsol()
    {
        var profile = HostProfiles.H100;
        var cases = new[]
        {
            (ModelCatalog.Get("opt-6.7b"), new DecodeWorkload { Batch = 32, PromptLength = 1024, MaxNewTokens = 32, GpuMemoryBytes = 20_000_000_000 }),
            (ModelCatalog.Get("llama-3-8b"), new DecodeWorkload { Batch = 32, PromptLength = 2048, MaxNewTokens = 32, GpuMemoryBytes = 40_000_000_000 }),
            (ModelCatalog.Get("opt-30b"), new DecodeWorkload { Objective = Objective.Throughput, Batch = 8, MicroBatches = 4, PromptLength = 512, MaxNewTokens = 64, GpuMemoryBytes = 40_000_000_000 }),
        };
        var modes = new[] { CpuAttentionMode.Auto, CpuAttentionMode.Share(0.3) };
        foreach (var (spec, workload, mode) in cases.SelectMany(c => modes.Select(mode => (c.Item1, c.Item2, mode))))
        {
            var cost = new CostModel(spec, profile);
            var memory = new MemoryModel(cost, workload, hostAttention: true);
            double perToken = PlanningProgram.RecomputeSecondsPerToken(cost, workload.Batch, workload.MaxLength / 2);
            var programs = new[] { true, false }
                .SelectMany(kv => new[] { true, false }.Select(weights => PlanningProgram.ForResidency(cost, memory, workload, kv, weights, perToken, mode)))
                .Append(PlanningProgram.ForSplit(cost, Residency.WeightsOnly(spec), workload.Batch, workload.PromptLength, workload.MicroBatches, perToken, mode))
                .ToArray();
            programs.Last().HostTokens.ShouldNotBeNull();
            foreach (var program in programs)
            {
                string name = $"{spec.Name} {mode} {program.Program.Name}";
                var ours = SimplexSolver.Solve(program.Program);
                var glpk = Glpsol.Solve(CplexLpWriter.Write(program.Program));
                ours.Status.ShouldBe(glpk.Status, name);
                if (ours.Status == LpStatus.Optimal)
                    ours.ObjectiveValue.ShouldBe(glpk.Objective, 1e-6 * glpk.Objective, name);
            }
        }
    }
}
