using System;
using System.Collections.Generic;

namespace Kvpr.Lp
{
    public enum OptimizationDirection { Minimize, Maximize }

    /// <summary>
    /// A linear program: bounded variables, named constraints and one objective. Solved by
    /// <see cref="SimplexSolver"/>, exported as CPLEX LP text by <see cref="CplexLpWriter"/>.
    /// </summary>
    public sealed class LinearProgram
    {
        private readonly List<Variable> _variables = new();
        private readonly List<LinearConstraint> _constraints = new();

        public LinearProgram(string name = "kvpr") => Name = name;

        public string Name { get; }
        public IReadOnlyList<Variable> Variables => _variables;
        public IReadOnlyList<LinearConstraint> Constraints => _constraints;
        public OptimizationDirection Direction { get; private set; } = OptimizationDirection.Minimize;
        public LinearExpression Objective { get; private set; } = new();

        public Variable AddVariable(string name, double lower = 0, double upper = double.PositiveInfinity)
        {
            if (double.IsNaN(lower) || double.IsNaN(upper) || lower > upper || double.IsPositiveInfinity(lower) || double.IsNegativeInfinity(upper))
                throw new ArgumentException($"Variable '{name}' has bounds [{lower}, {upper}], which admit no value.");
            var variable = new Variable(_variables.Count, name, lower, upper);
            _variables.Add(variable);
            return variable;
        }

        public LinearConstraint Add(string name, LinearConstraint constraint)
        {
            constraint.Name = name;
            _constraints.Add(constraint);
            return constraint;
        }

        public void Minimize(LinearExpression objective) => SetObjective(OptimizationDirection.Minimize, objective);
        public void Maximize(LinearExpression objective) => SetObjective(OptimizationDirection.Maximize, objective);

        private void SetObjective(OptimizationDirection direction, LinearExpression objective)
        {
            Direction = direction;
            Objective = objective;
        }
    }
}
