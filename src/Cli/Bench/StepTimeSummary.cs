using System;
using System.Collections.Generic;
using System.Linq;

namespace Kvpr.Cli.Bench
{
    /// <summary>Mean, median and 90th percentile of measured step times, in milliseconds.</summary>
    internal sealed record StepTimeSummary(int Steps, double MeanMs, double P50Ms, double P90Ms)
    {
        public static StepTimeSummary Of(IReadOnlyCollection<double> stepMs)
        {
            if (stepMs.Count == 0)
                throw new ArgumentException("No step was timed: the run needs more new tokens than warm-up steps plus one.", nameof(stepMs));
            var sorted = stepMs.OrderBy(t => t).ToArray();
            return new StepTimeSummary(sorted.Length, sorted.Average(), Percentile(sorted, 0.5), Percentile(sorted, 0.9));
        }

        /// <summary>Linear interpolation between the closest ranks (the definition numpy and Excel's PERCENTILE.INC use).</summary>
        private static double Percentile(double[] sorted, double p)
        {
            double rank = p * (sorted.Length - 1);
            int below = (int)Math.Floor(rank);
            int above = Math.Min(below + 1, sorted.Length - 1);
            return sorted[below] + (rank - below) * (sorted[above] - sorted[below]);
        }
    }
}
