using System;
using System.Collections.Generic;
using System.Linq;

namespace Kvpr.Lp
{
    internal enum SimplexOutcome { Optimal, Unbounded }

    /// <summary>
    /// The primal simplex method for bounded variables on a dense tableau: every nonbasic column sits at one of
    /// its bounds (at zero when free) and may move towards the other; a step either pivots the first blocking
    /// basic column out or flips the entering column to its opposite bound. Pricing is Dantzig's largest
    /// reduced cost, switching to Bland's smallest-index rule during long runs of degenerate pivots, which
    /// rules out cycling. The ratio test is Harris's two-pass test, preferring large pivots among nearly tied
    /// rows. The tableau is rebuilt from the original matrix every few pivots and before optimality or
    /// unboundedness is declared, so rounding errors do not accumulate into the answer.
    /// </summary>
    internal sealed class BoundedSimplex
    {
        /// <summary>How far a value may stray outside a bound, relative to max(1, |bound|).</summary>
        public const double FeasibilityTolerance = 1e-9;

        /// <summary>Reduced costs smaller than this do not improve the objective.</summary>
        private const double OptimalityTolerance = 1e-9;

        /// <summary>Tableau entries smaller than this are not pivoted on: they are rounding noise around zero.</summary>
        private const double PivotTolerance = 1e-9;

        /// <summary>A basis whose best remaining pivot in a rebuild is this small is singular.</summary>
        private const double SingularityTolerance = 1e-12;

        /// <summary>Dantzig's rule is faster in general; a run this long of zero-length pivots may be a cycle.</summary>
        public const int DefaultDegeneratePivotsBeforeBland = 20;

        private const int StepsBetweenRebuilds = 50;

        private readonly double[][] _matrix;
        private readonly double[] _rhs;
        private readonly double[] _lower;
        private readonly double[] _upper;
        private readonly double[] _values;
        private readonly int[] _basicColumnOfRow;
        private readonly bool[] _isBasic;
        private readonly int _stepLimit;
        private readonly int _degeneratePivotsBeforeBland;
        private readonly int _rows;
        private readonly int _columns;

        /// <summary>Rows 0..m-1: B⁻¹A for the current basis. Row m: the reduced costs.</summary>
        private double[][] _tableau = Array.Empty<double[]>();
        private double[] _costs = Array.Empty<double>();
        private int _stepsSinceRebuild;

        public BoundedSimplex(ComputationalForm form, int degeneratePivotsBeforeBland)
        {
            _degeneratePivotsBeforeBland = degeneratePivotsBeforeBland;
            _matrix = form.Matrix;
            _rhs = form.Rhs;
            _lower = (double[])form.Lower.Clone();
            _upper = (double[])form.Upper.Clone();
            _values = (double[])form.StartValues.Clone();
            _basicColumnOfRow = (int[])form.StartBasis.Clone();
            _rows = form.RowCount;
            _columns = form.ColumnCount;
            _isBasic = new bool[_columns];
            foreach (int column in _basicColumnOfRow)
                _isBasic[column] = true;
            _stepLimit = 10_000 + 100 * (_rows + _columns);
        }

        /// <summary>Pivots and bound flips so far.</summary>
        public int Steps { get; private set; }

        /// <summary>Current value of every column.</summary>
        public IReadOnlyList<double> Values => _values;

        /// <summary>Pins a column to zero from now on: it never enters the basis again.</summary>
        public void FixAtZero(int column)
        {
            _lower[column] = 0;
            _upper[column] = 0;
            if (!_isBasic[column])
                _values[column] = 0;
        }

        /// <summary>Minimises costs·x from the current basis, which must be feasible.</summary>
        public SimplexOutcome Minimize(double[] costs)
        {
            _costs = costs;
            Rebuild();
            var degenerateRun = 0;
            while (true)
            {
                bool useBland = degenerateRun >= _degeneratePivotsBeforeBland;
                if (!TryChooseEntering(useBland, out int entering, out int direction))
                {
                    if (_stepsSinceRebuild == 0)
                        return SimplexOutcome.Optimal;
                    Rebuild(); // confirm optimality on a fresh tableau
                    continue;
                }

                var step = RatioTest(entering, direction, useBland);
                if (double.IsPositiveInfinity(step.Length))
                {
                    if (_stepsSinceRebuild == 0)
                        return SimplexOutcome.Unbounded;
                    Rebuild(); // confirm unboundedness on a fresh tableau
                    continue;
                }

                Take(entering, direction, step);
                degenerateRun = step.Length == 0 ? degenerateRun + 1 : 0;
                if (++Steps > _stepLimit)
                    throw new InvalidOperationException(
                        $"The simplex made {_stepLimit} steps on a program of {_rows} rows and {_columns} columns without finishing; " +
                        "the program is too badly conditioned for it.");
                if (++_stepsSinceRebuild >= StepsBetweenRebuilds)
                    Rebuild();
            }
        }

        private bool TryChooseEntering(bool useBland, out int entering, out int direction)
        {
            entering = -1;
            direction = 0;
            double best = 0;
            var reducedCosts = _tableau[_rows];
            for (int j = 0; j < _columns; j++)
            {
                if (_isBasic[j] || _lower[j] == _upper[j])
                    continue;
                double d = reducedCosts[j];
                int improving = d < -OptimalityTolerance && _values[j] < _upper[j] ? 1
                    : d > OptimalityTolerance && _values[j] > _lower[j] ? -1
                    : 0;
                if (improving == 0 || Math.Abs(d) <= best)
                    continue;
                entering = j;
                direction = improving;
                if (useBland)
                    return true;
                best = Math.Abs(d);
            }
            return entering >= 0;
        }

        /// <summary>How far the entering column moves, and which row's basic column leaves (-1: a bound flip).</summary>
        private readonly struct Step
        {
            public Step(double length, int leavingRow)
            {
                Length = length;
                LeavingRow = leavingRow;
            }

            public double Length { get; }
            public int LeavingRow { get; }
        }

        private Step RatioTest(int entering, int direction, bool useBland)
        {
            // Pass 1: the longest step that keeps every basic value within its bounds widened by the tolerance.
            double flip = _upper[entering] - _lower[entering];
            double longest = flip;
            for (int i = 0; i < _rows; i++)
            {
                double rate = direction * _tableau[i][entering];
                if (Math.Abs(rate) > PivotTolerance)
                    longest = Math.Min(longest, Ratio(i, rate, widened: true));
            }
            if (double.IsPositiveInfinity(longest))
                return new Step(double.PositiveInfinity, -1);
            if (flip <= longest)
                return new Step(flip, -1);

            // Pass 2: among rows that block within that step, the largest pivot (or, under Bland, the smallest column).
            int leaving = -1;
            for (int i = 0; i < _rows; i++)
            {
                double rate = direction * _tableau[i][entering];
                if (Math.Abs(rate) <= PivotTolerance || Ratio(i, rate, widened: false) > longest)
                    continue;
                bool better = leaving < 0 || (useBland
                    ? _basicColumnOfRow[i] < _basicColumnOfRow[leaving]
                    : Math.Abs(rate) > Math.Abs(_tableau[leaving][entering]));
                if (better)
                    leaving = i;
            }
            return new Step(Math.Max(0, Ratio(leaving, direction * _tableau[leaving][entering], widened: false)), leaving);
        }

        /// <summary>
        /// How far the entering column can move before row i's basic value, which falls at
        /// <paramref name="rate"/> per unit, reaches its bound.
        /// </summary>
        private double Ratio(int row, double rate, bool widened)
        {
            int column = _basicColumnOfRow[row];
            double bound = rate > 0 ? _lower[column] : _upper[column];
            if (double.IsInfinity(bound))
                return double.PositiveInfinity;
            double slack = (_values[column] - bound) / rate;
            return widened ? slack + Tolerance(bound) / Math.Abs(rate) : slack;
        }

        private static double Tolerance(double bound) => FeasibilityTolerance * Math.Max(1, Math.Abs(bound));

        private void Take(int entering, int direction, Step step)
        {
            for (int i = 0; i < _rows; i++)
                _values[_basicColumnOfRow[i]] -= direction * _tableau[i][entering] * step.Length;
            if (step.LeavingRow < 0)
            {
                _values[entering] = direction > 0 ? _upper[entering] : _lower[entering];
                return;
            }

            int leaving = _basicColumnOfRow[step.LeavingRow];
            _values[entering] += direction * step.Length;
            _values[leaving] = direction * _tableau[step.LeavingRow][entering] > 0 ? _lower[leaving] : _upper[leaving];
            Eliminate(_tableau, step.LeavingRow, entering);
            _isBasic[leaving] = false;
            _isBasic[entering] = true;
            _basicColumnOfRow[step.LeavingRow] = entering;
        }

        /// <summary>
        /// Recomputes B⁻¹A, the basic values B⁻¹(b − N·x_N) and the reduced costs from the original matrix by
        /// Gauss–Jordan elimination with partial pivoting over the basic columns.
        /// </summary>
        private void Rebuild()
        {
            var rows = new double[_rows][];
            for (int i = 0; i < _rows; i++)
            {
                rows[i] = new double[_columns + 1];
                Array.Copy(_matrix[i], rows[i], _columns);
                double residual = _rhs[i];
                for (int j = 0; j < _columns; j++)
                    if (!_isBasic[j])
                        residual -= _matrix[i][j] * _values[j];
                rows[i][_columns] = residual;
            }

            var basicColumns = _basicColumnOfRow.ToArray();
            var assigned = new bool[_rows];
            foreach (int column in basicColumns)
            {
                int pivotRow = -1;
                for (int i = 0; i < _rows; i++)
                    if (!assigned[i] && (pivotRow < 0 || Math.Abs(rows[i][column]) > Math.Abs(rows[pivotRow][column])))
                        pivotRow = i;
                if (Math.Abs(rows[pivotRow][column]) <= SingularityTolerance)
                    throw new InvalidOperationException(
                        $"The simplex basis became singular on a program of {_rows} rows and {_columns} columns; " +
                        "the program is too badly conditioned for it.");
                Eliminate(rows, pivotRow, column);
                assigned[pivotRow] = true;
                _basicColumnOfRow[pivotRow] = column;
            }

            _tableau = new double[_rows + 1][];
            for (int i = 0; i < _rows; i++)
            {
                _tableau[i] = new double[_columns];
                Array.Copy(rows[i], _tableau[i], _columns);
                _values[_basicColumnOfRow[i]] = rows[i][_columns];
            }

            var reducedCosts = (double[])_costs.Clone();
            for (int i = 0; i < _rows; i++)
            {
                double basicCost = _costs[_basicColumnOfRow[i]];
                if (basicCost != 0)
                    for (int j = 0; j < _columns; j++)
                        reducedCosts[j] -= basicCost * _tableau[i][j];
            }
            foreach (int column in _basicColumnOfRow)
                reducedCosts[column] = 0;
            _tableau[_rows] = reducedCosts;
            _stepsSinceRebuild = 0;
        }

        /// <summary>Scales the pivot row to a unit pivot and clears the pivot column from every other row.</summary>
        private static void Eliminate(double[][] rows, int pivotRow, int pivotColumn)
        {
            var pivot = rows[pivotRow];
            double scale = 1 / pivot[pivotColumn];
            for (int j = 0; j < pivot.Length; j++)
                pivot[j] *= scale;
            pivot[pivotColumn] = 1;
            for (int i = 0; i < rows.Length; i++)
            {
                double factor = rows[i][pivotColumn];
                if (i == pivotRow || factor == 0)
                    continue;
                var row = rows[i];
                for (int j = 0; j < row.Length; j++)
                    row[j] -= factor * pivot[j];
                row[pivotColumn] = 0;
            }
        }
    }
}
