using System;
using System.Linq;

namespace Kvpr.Lp
{
    /// <summary>
    /// Solves a <see cref="LinearProgram"/> exactly enough for planning (values within 1e-9 relative of their
    /// bounds and rows) with a two-phase bounded-variable simplex: phase one drives artificial columns out to
    /// find a feasible basis, phase two optimises the objective from there.
    /// </summary>
    public static class SimplexSolver
    {
        public static LpSolution Solve(LinearProgram program) => Solve(program, BoundedSimplex.DefaultDegeneratePivotsBeforeBland);

        /// <param name="program">The program to solve.</param>
        /// <param name="degeneratePivotsBeforeBland">0 prices by Bland's rule throughout, which tests use to check that rule.</param>
        internal static LpSolution Solve(LinearProgram program, int degeneratePivotsBeforeBland)
        {
            if (program is null)
                throw new ArgumentNullException(nameof(program));
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
