using System;
using System.Linq;

namespace Kvpr.Lp
{
    /// <summary>
    /// Solves a <see cref="LinearProgram"/> with a two-phase bounded-variable simplex (<see cref="BoundedSimplex"/>):
    /// phase one drives artificial columns out to find a feasible basis, phase two optimises the objective from
    /// there. Meant for the planner's small programs (up to a few hundred variables and rows).
    /// </summary>
    public static class SimplexSolver
    {
        /// <summary>
        /// An optimal vertex: <see cref="LpSolution.Values"/> lie within their bounds and satisfy every row to
        /// about 1e-9 of the row's magnitude, and <see cref="LpSolution.ObjectiveValue"/> is the objective at them,
        /// constant included. Infeasible: NaN and no values. Unbounded: ±∞ in the direction of optimisation and
        /// no values.
        /// </summary>
        /// <exception cref="ArgumentException">A term names a variable of another program, or the objective is not finite.</exception>
        public static LpSolution Solve(LinearProgram program) => Solve(program, BoundedSimplex.DefaultDegeneratePivotsBeforeBland);

        /// <param name="program">The program to solve.</param>
        /// <param name="degeneratePivotsBeforeBland">0 prices by Bland's rule throughout, which tests use to check that rule.</param>
        internal static LpSolution Solve(LinearProgram program, int degeneratePivotsBeforeBland)
        {
            var form = ComputationalForm.From(program);
            var simplex = new BoundedSimplex(form, degeneratePivotsBeforeBland);

            // Phase one cannot be unbounded: its costs sit on artificial columns bounded below by zero.
            simplex.Minimize(PhaseOneCosts(form));
            if (!ArtificialsVanish(form, simplex))
                return new LpSolution(LpStatus.Infeasible, double.NaN, Array.Empty<double>(), simplex.Steps);

            for (int row = 0; row < form.RowCount; row++)
                simplex.FixAtZero(form.ArtificialColumn(row));
            if (simplex.Minimize(form.Costs) == SimplexOutcome.Unbounded)
            {
                double unbounded = program.Direction == OptimizationDirection.Maximize ? double.PositiveInfinity : double.NegativeInfinity;
                return new LpSolution(LpStatus.Unbounded, unbounded, Array.Empty<double>(), simplex.Steps);
            }

            var values = form.VariableValues(simplex.Values);
            return new LpSolution(LpStatus.Optimal, program.Objective.Evaluate(values), values, simplex.Steps);
        }

        private static double[] PhaseOneCosts(ComputationalForm form)
        {
            var costs = new double[form.ColumnCount];
            for (int row = 0; row < form.RowCount; row++)
                costs[form.ArtificialColumn(row)] = 1;
            return costs;
        }

        private static bool ArtificialsVanish(ComputationalForm form, BoundedSimplex simplex) =>
            Enumerable.Range(0, form.RowCount).All(row =>
                simplex.Values[form.ArtificialColumn(row)] <= BoundedSimplex.FeasibilityTolerance * form.RowMagnitude(row, simplex.Values));
    }
}
