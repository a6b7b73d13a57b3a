using System;
using System.Collections.Generic;

namespace Kvpr.Lp
{
    /// <summary>
    /// Row and column scale factors that bring a constraint matrix's entries close to 1, so that the simplex's
    /// absolute tolerances mean the same for a row in seconds per byte (1e-11) as for one in tokens (1e3).
    /// Geometric-mean scaling, alternating rows and columns; every factor is a power of two, so scaling and
    /// unscaling are exact in floating point.
    /// </summary>
    internal sealed class LpScaling
    {
        private const int Passes = 6;

        private LpScaling(double[] rowFactors, double[] columnFactors, double objectiveFactor)
        {
            RowFactors = rowFactors;
            ColumnFactors = columnFactors;
            ObjectiveFactor = objectiveFactor;
        }

        /// <summary>Row i of the scaled problem is row i of the original times this.</summary>
        public IReadOnlyList<double> RowFactors { get; }

        /// <summary>Original variable j = scaled variable j times this.</summary>
        public IReadOnlyList<double> ColumnFactors { get; }

        /// <summary>The scaled objective is the original (with column factors applied) times this.</summary>
        public double ObjectiveFactor { get; }

        /// <param name="rows">Nonzero coefficients of each row, keyed by column.</param>
        /// <param name="columnCount">Number of columns.</param>
        /// <param name="objective">Nonzero objective coefficients, keyed by column.</param>
        public static LpScaling Compute(IReadOnlyList<IReadOnlyList<KeyValuePair<int, double>>> rows, int columnCount,
            IEnumerable<KeyValuePair<int, double>> objective)
        {
            var rowFactors = Ones(rows.Count);
            var columnFactors = Ones(columnCount);
            for (int pass = 0; pass < Passes; pass++)
            {
                var rowRange = new MagnitudeRange[rows.Count];
                var columnRange = new MagnitudeRange[columnCount];
                for (int i = 0; i < rows.Count; i++)
                    foreach (var entry in rows[i])
                        rowRange[i].Include(entry.Value * columnFactors[entry.Key]);
                for (int i = 0; i < rows.Count; i++)
                    rowFactors[i] = rowRange[i].BalancingFactor();
                for (int i = 0; i < rows.Count; i++)
                    foreach (var entry in rows[i])
                        columnRange[entry.Key].Include(entry.Value * rowFactors[i]);
                for (int j = 0; j < columnCount; j++)
                    columnFactors[j] = columnRange[j].BalancingFactor();
            }

            var objectiveRange = new MagnitudeRange();
            foreach (var entry in objective)
                objectiveRange.Include(entry.Value * columnFactors[entry.Key]);
            return new LpScaling(rowFactors, columnFactors, objectiveRange.NormalisingFactor());
        }

        private static double[] Ones(int count)
        {
            var ones = new double[count];
            for (int i = 0; i < count; i++)
                ones[i] = 1;
            return ones;
        }

        /// <summary>The smallest and largest magnitude among some nonzero numbers.</summary>
        private struct MagnitudeRange
        {
            private double _smallest;
            private double _largest;

            public void Include(double value)
            {
                double magnitude = Math.Abs(value);
                if (magnitude == 0)
                    return;
                _smallest = _largest == 0 ? magnitude : Math.Min(_smallest, magnitude);
                _largest = Math.Max(_largest, magnitude);
            }

            /// <summary>The power of two nearest 1/√(smallest·largest): centres the range on 1.</summary>
            public double BalancingFactor() => _largest == 0 ? 1 : PowerOfTwoNear(1 / (Math.Sqrt(_smallest) * Math.Sqrt(_largest)));

            /// <summary>The power of two nearest 1/largest: brings the largest magnitude near 1.</summary>
            public double NormalisingFactor() => _largest == 0 ? 1 : PowerOfTwoNear(1 / _largest);

            private static double PowerOfTwoNear(double value) => Math.Pow(2, Math.Round(Math.Log(value, 2)));
        }
    }
}
