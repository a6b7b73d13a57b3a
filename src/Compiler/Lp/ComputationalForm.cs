using System;
using System.Collections.Generic;
using System.Linq;

namespace Kvpr.Lp
{
    /// <summary>
    /// A <see cref="LinearProgram"/> as the simplex works on it: minimise c·x subject to A·x = b and
    /// lower ≤ x ≤ upper, scaled by <see cref="LpScaling"/>. Columns are, in order, the program's variables,
    /// one slack per row (row + slack = rhs; the slack is ≥ 0 for ≤, ≤ 0 for ≥ and 0 for =), and one
    /// artificial per row whose sign lets it absorb the row's residual at the starting point, where every
    /// variable sits at a finite bound (0 when free) and each row's slack or artificial is basic.
    /// </summary>
    internal sealed class ComputationalForm
    {
        private readonly LpScaling _scaling;
        private readonly IReadOnlyList<Variable> _variables;

        private ComputationalForm(LinearProgram program, LpScaling scaling, double[][] matrix, double[] rhs)
        {
            _scaling = scaling;
            _variables = program.Variables;
            StructuralCount = program.Variables.Count;
            RowCount = rhs.Length;
            Matrix = matrix;
            Rhs = rhs;
            int columns = StructuralCount + 2 * RowCount;
            Lower = new double[columns];
            Upper = new double[columns];
            Costs = new double[columns];
            StartValues = new double[columns];
            StartBasis = new int[RowCount];

            double direction = program.Direction == OptimizationDirection.Maximize ? -1 : 1;
            for (int j = 0; j < StructuralCount; j++)
            {
                var variable = program.Variables[j];
                double factor = scaling.ColumnFactors[j];
                Lower[j] = variable.Lower / factor;
                Upper[j] = variable.Upper / factor;
                Costs[j] = direction * scaling.ObjectiveFactor * factor * program.Objective.CoefficientOf(variable);
                StartValues[j] = !double.IsInfinity(Lower[j]) ? Lower[j] : !double.IsInfinity(Upper[j]) ? Upper[j] : 0;
            }

            for (int i = 0; i < RowCount; i++)
                PlaceStartingBasic(i, program.Constraints[i].Sense);
        }

        public int StructuralCount { get; }
        public int RowCount { get; }
        public int ColumnCount => StructuralCount + 2 * RowCount;

        /// <summary>Rows × columns, dense.</summary>
        public double[][] Matrix { get; }
        public double[] Rhs { get; }
        public double[] Lower { get; }
        public double[] Upper { get; }

        /// <summary>The objective to minimise (a maximisation is negated).</summary>
        public double[] Costs { get; }

        public double[] StartValues { get; }

        /// <summary>The starting basic column of each row.</summary>
        public int[] StartBasis { get; }

        public int SlackColumn(int row) => StructuralCount + row;

        public int ArtificialColumn(int row) => StructuralCount + RowCount + row;

        public static ComputationalForm From(LinearProgram program)
        {
            int n = program.Variables.Count;
            var rows = program.Constraints.Select(c => (IReadOnlyList<KeyValuePair<int, double>>)c.Lhs.Terms.ToList()).ToList();
            for (int i = 0; i < rows.Count; i++)
                CheckVariables(rows[i], n, program, $"Constraint '{program.Constraints[i].Name}'");
            var objective = program.Objective.Terms.ToList();
            CheckVariables(objective, n, program, "The objective");

            var scaling = LpScaling.Compute(rows, n, objective);
            var matrix = new double[rows.Count][];
            var rhs = new double[rows.Count];
            for (int i = 0; i < rows.Count; i++)
            {
                double rowFactor = scaling.RowFactors[i];
                matrix[i] = new double[n + 2 * rows.Count];
                foreach (var term in rows[i])
                    matrix[i][term.Key] = rowFactor * term.Value * scaling.ColumnFactors[term.Key];
                matrix[i][n + i] = 1;
                rhs[i] = rowFactor * program.Constraints[i].Rhs;
            }
            return new ComputationalForm(program, scaling, matrix, rhs);
        }

        /// <summary>
        /// The size of the numbers that make up a row's residual at the given values: what a residual
        /// is small relative to.
        /// </summary>
        public double RowMagnitude(int row, IReadOnlyList<double> values)
        {
            double magnitude = Math.Max(1, Math.Abs(Rhs[row]));
            for (int j = 0; j < StructuralCount; j++)
                magnitude = Math.Max(magnitude, Math.Abs(Matrix[row][j] * values[j]));
            return magnitude;
        }

        /// <summary>The program's variable values for the given column values, within the variables' bounds.</summary>
        public double[] VariableValues(IReadOnlyList<double> values)
        {
            var result = new double[StructuralCount];
            for (int j = 0; j < StructuralCount; j++)
            {
                double value = values[j] * _scaling.ColumnFactors[j];
                result[j] = Math.Min(Math.Max(value, _variables[j].Lower), _variables[j].Upper);
            }
            return result;
        }

        private void PlaceStartingBasic(int row, ConstraintSense sense)
        {
            double residual = Rhs[row];
            for (int j = 0; j < StructuralCount; j++)
                residual -= Matrix[row][j] * StartValues[j];

            int slack = SlackColumn(row), artificial = ArtificialColumn(row);
            Lower[slack] = sense == ConstraintSense.GreaterOrEqual ? double.NegativeInfinity : 0;
            Upper[slack] = sense == ConstraintSense.LessOrEqual ? double.PositiveInfinity : 0;
            bool slackAbsorbsResidual = sense == ConstraintSense.LessOrEqual ? residual >= 0
                : sense == ConstraintSense.GreaterOrEqual && residual <= 0;

            Matrix[row][artificial] = residual < 0 ? -1 : 1;
            Lower[artificial] = 0;
            Upper[artificial] = slackAbsorbsResidual ? 0 : double.PositiveInfinity;
            StartBasis[row] = slackAbsorbsResidual ? slack : artificial;
            StartValues[StartBasis[row]] = slackAbsorbsResidual ? residual : Math.Abs(residual);
        }

        private static void CheckVariables(IEnumerable<KeyValuePair<int, double>> terms, int variableCount, LinearProgram program, string owner)
        {
            foreach (var term in terms)
                if (term.Key >= variableCount)
                    throw new ArgumentException(
                        $"{owner} uses variable #{term.Key}, but program '{program.Name}' has only {variableCount} variables; " +
                        "was the variable created by another LinearProgram?");
        }
    }
}
