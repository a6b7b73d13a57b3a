using System;
using System.Threading.Tasks;

namespace Kvpr.Runtime.Cuda
{
    /// <summary>The float64 CPU truth that device results are checked against.</summary>
    public static class DeviceReference
    {
        /// <summary>y[m,n] = x[m,k] · W[n,k]ᵀ in float64, rows in parallel.</summary>
        public static double[] MultiplyTransposed(ReadOnlySpan<Half> x, ReadOnlySpan<Half> weight, int m, int n, int k)
        {
            var xs = ToDouble(x);
            var ws = ToDouble(weight);
            var y = new double[(long)m * n];
            Parallel.For(0, m, row =>
            {
                for (int column = 0; column < n; column++)
                {
                    double sum = 0;
                    for (int i = 0; i < k; i++)
                        sum += xs[(long)row * k + i] * ws[(long)column * k + i];
                    y[(long)row * n + column] = sum;
                }
            });
            return y;
        }

        /// <summary>‖actual − expected‖₂ / ‖expected‖₂; NaN or infinity anywhere gives infinity, so it never passes.</summary>
        public static double RelativeError(ReadOnlySpan<double> actual, ReadOnlySpan<double> expected)
        {
            if (actual.Length != expected.Length)
                throw new ArgumentException($"Lengths differ: {actual.Length} results against {expected.Length} expected.", nameof(actual));
            double difference = 0, norm = 0;
            for (int i = 0; i < actual.Length; i++)
            {
                if (!double.IsFinite(actual[i]))
                    return double.PositiveInfinity;
                difference += (actual[i] - expected[i]) * (actual[i] - expected[i]);
                norm += expected[i] * expected[i];
            }
            return norm == 0 ? (difference == 0 ? 0 : double.PositiveInfinity) : Math.Sqrt(difference / norm);
        }

        /// <summary>Uniform values in [-1, 1), rounded to fp16.</summary>
        public static Half[] RandomHalves(Random random, long count)
        {
            var values = new Half[count];
            for (long i = 0; i < count; i++)
                values[i] = (Half)(random.NextDouble() * 2 - 1);
            return values;
        }

        public static double[] ToDouble(ReadOnlySpan<Half> values)
        {
            var result = new double[values.Length];
            for (int i = 0; i < values.Length; i++)
                result[i] = (double)values[i];
            return result;
        }
    }
}
