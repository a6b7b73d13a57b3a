using System;
using System.Collections.Generic;

namespace Kvpr.Lp
{
    /// <summary>
    /// What <see cref="LinearProgram"/>'s own methods cannot check as the program is built, checked before it is
    /// solved or written: every term names one of the program's variables, and the objective is finite.
    /// </summary>
    internal static class LinearProgramCheck
    {
        public static void ThrowIfInvalid(LinearProgram program)
        {
            if (program is null)
                throw new ArgumentNullException(nameof(program));
            foreach (var constraint in program.Constraints)
                CheckVariables(constraint.Lhs.Terms, program, $"Constraint '{constraint.Name}'");
            CheckVariables(program.Objective.Terms, program, "The objective");
            foreach (var term in program.Objective.Terms)
                LinearExpression.CheckFinite(term.Value, $"The objective coefficient of '{program.Variables[term.Key].Name}' in program '{program.Name}'");
            LinearExpression.CheckFinite(program.Objective.Constant, $"The objective constant of program '{program.Name}'");
        }

        private static void CheckVariables(IEnumerable<KeyValuePair<int, double>> terms, LinearProgram program, string owner)
        {
            foreach (var term in terms)
                if (term.Key >= program.Variables.Count)
                    throw new ArgumentException(
                        $"{owner} uses variable #{term.Key}, but program '{program.Name}' has only {program.Variables.Count} variables; " +
                        "was the variable created by another LinearProgram?");
        }
    }
}
