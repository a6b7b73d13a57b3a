using System;
using Kvpr.Lp;

namespace Kvpr.Compiler.Tests.Lp;

/// <summary>Checks solutions against known optima and against the program's own rows and bounds.</summary>
internal static class SolutionAssertions
{
    private const double RelativeTolerance = 1e-7;

    /// <summary>Optimal with the given objective and values (tolerance 1e-9 relative), and feasible.</summary>
    public static void ShouldBeOptimal(this LpSolution solution, LinearProgram program, double objective, params (Variable Variable, double Value)[] values)
    {
        solution.Status.ShouldBe(LpStatus.Optimal);
        solution.ObjectiveValue.ShouldBe(objective, 1e-9 * Math.Max(1, Math.Abs(objective)));
        foreach (var (variable, value) in values)
            solution[variable].ShouldBe(value, 1e-9 * Math.Max(1, Math.Abs(value)), $"variable {variable.Name}");
        solution.ShouldSatisfy(program);
    }

    public static void ShouldSatisfy(this LpSolution solution, LinearProgram program)
    {
        solution.Values.Count.ShouldBe(program.Variables.Count);
        foreach (var variable in program.Variables)
        {
            double value = solution[variable];
            value.ShouldBeGreaterThanOrEqualTo(variable.Lower, $"variable {variable.Name}");
            value.ShouldBeLessThanOrEqualTo(variable.Upper, $"variable {variable.Name}");
        }
        foreach (var constraint in program.Constraints)
        {
            double scale = Math.Abs(constraint.Rhs);
            foreach (var term in constraint.Lhs.Terms)
                scale = Math.Max(scale, Math.Abs(term.Value * solution.Values[term.Key]));
            constraint.IsSatisfiedBy(solution.Values, RelativeTolerance * Math.Max(1, scale))
                .ShouldBeTrue($"{constraint} at lhs {constraint.Lhs.Evaluate(solution.Values)}");
        }
        solution.ObjectiveValue.ShouldBe(program.Objective.Evaluate(solution.Values), 1e-9 * Math.Max(1, Math.Abs(solution.ObjectiveValue)));
    }
}
