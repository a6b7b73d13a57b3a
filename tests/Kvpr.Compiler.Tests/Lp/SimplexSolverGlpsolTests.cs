using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Kvpr.Lp;

namespace Kvpr.Compiler.Tests.Lp;

/// <summary>Our simplex against GLPK on random programs, written for glpsol by <see cref="CplexLpWriter"/>.</summary>
public class SimplexSolverGlpsolTests
{
    private const int ProgramCount = 240;

    /// <summary>glpsol's verdict on every random program, by seed; computed once, in parallel.</summary>
    private static readonly Lazy<GlpsolResult[]> GlpsolVerdicts = new(() =>
    {
        var verdicts = new GlpsolResult[ProgramCount];
        Parallel.For(0, ProgramCount, new ParallelOptions { MaxDegreeOfParallelism = 4 * Environment.ProcessorCount },
            seed => verdicts[seed] = Glpsol.Solve(CplexLpWriter.Write(RandomPrograms.Create(seed))));
        return verdicts;
    });

    public static IEnumerable<object[]> Seeds => Enumerable.Range(0, ProgramCount).Select(seed => new object[] { seed });

    [GlpsolTheory]
    [MemberData(nameof(Seeds))]
    public void Random_program_gets_glpsols_status_and_objective(int seed)
    {
        var program = RandomPrograms.Create(seed);
        var expected = GlpsolVerdicts.Value[seed];
        foreach (int degeneratePivotsBeforeBland in new[] { BoundedSimplex.DefaultDegeneratePivotsBeforeBland, 0 })
        {
            var solution = SimplexSolver.Solve(program, degeneratePivotsBeforeBland);

            string context = $"pricing switches to Bland after {degeneratePivotsBeforeBland} degenerate pivots; program:\n{CplexLpWriter.Write(program)}";
            solution.Status.ShouldBe(expected.Status, context);
            if (expected.Status != LpStatus.Optimal)
                continue;
            solution.ObjectiveValue.ShouldBe(expected.Objective, 1e-6 * Math.Max(1, Math.Abs(expected.Objective)), context);
            solution.ShouldSatisfy(program);
        }
    }

    [GlpsolTheory]
    [MemberData(nameof(Seeds))]
    public void Random_program_rescaled_badly_keeps_glpsols_status_and_objective(int seed)
    {
        // glpsol judges the well-scaled original; its tolerances are absolute and misjudge the rescaled one.
        var program = RandomPrograms.BadlyScaled(RandomPrograms.Create(seed), seed, out double objectiveFactor);
        var expected = GlpsolVerdicts.Value[seed];

        var solution = SimplexSolver.Solve(program);

        string context = $"program:\n{CplexLpWriter.Write(program)}";
        solution.Status.ShouldBe(expected.Status, context);
        if (expected.Status != LpStatus.Optimal)
            return;
        solution.ObjectiveValue.ShouldBe(objectiveFactor * expected.Objective, 1e-6 * objectiveFactor * Math.Max(1, Math.Abs(expected.Objective)), context);
        solution.ShouldSatisfy(program);
    }

    [GlpsolFact]
    public void The_random_programs_include_every_outcome()
    {
        var outcomes = GlpsolVerdicts.Value.GroupBy(v => v.Status).ToDictionary(g => g.Key, g => g.Count());

        foreach (var status in new[] { LpStatus.Optimal, LpStatus.Infeasible, LpStatus.Unbounded })
            outcomes.GetValueOrDefault(status).ShouldBeGreaterThanOrEqualTo(ProgramCount / 10, $"programs that glpsol finds {status}");
    }
}
