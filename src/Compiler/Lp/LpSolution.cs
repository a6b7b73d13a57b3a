using System.Collections.Generic;

namespace Kvpr.Lp
{
    public enum LpStatus { Optimal, Infeasible, Unbounded }

    /// <summary>The outcome of solving a <see cref="LinearProgram"/>; values only when optimal.</summary>
    public sealed class LpSolution
    {
        public LpSolution(LpStatus status, double objectiveValue, IReadOnlyList<double> values, int iterations)
        {
            Status = status;
            ObjectiveValue = objectiveValue;
            Values = values;
            Iterations = iterations;
        }

        public LpStatus Status { get; }
        public double ObjectiveValue { get; }
        /// <summary>Variable values by <see cref="Variable.Index"/>.</summary>
        public IReadOnlyList<double> Values { get; }
        /// <summary>Simplex steps over both phases: pivots and bound flips.</summary>
        public int Iterations { get; }

        public double this[Variable variable] => Values[variable.Index];
    }
}
