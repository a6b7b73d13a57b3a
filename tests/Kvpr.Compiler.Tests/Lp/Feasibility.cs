using System;
using Kvpr.Lp;

namespace Kvpr.Compiler.Tests.Lp;

/// <summary>Checks a solution against the program's own rows and bounds, independently of the solver.</summary>
internal static class Feasibility
{
    private const double RelativeTolerance = 1e-7;

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
