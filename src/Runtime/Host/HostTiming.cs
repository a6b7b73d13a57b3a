using System;
using System.Collections.Generic;
using System.Diagnostics;

namespace Kvpr.Host
{
    /// <summary>
    /// Wall-clock timing of host work: the median of repetitions within a time budget, after a warm-up long enough for the
    /// JIT to replace its first, unoptimised code (tiered compilation promotes hot methods only after ~30 calls and a pause).
    /// </summary>
    internal static class HostTiming
    {
        private const int MinRepetitions = 3;

        /// <summary>
        /// Runs <paramref name="action"/> for half of <paramref name="budget"/> to warm up (at least once), then until the budget
        /// has passed (at least three times); the median seconds of the timed runs.
        /// </summary>
        public static double MedianSeconds(Action action, TimeSpan budget)
        {
            var total = Stopwatch.StartNew();
            do
                action();
            while (total.Elapsed < budget / 2);
            var seconds = new List<double>();
            while (seconds.Count < MinRepetitions || total.Elapsed < budget)
            {
                long start = Stopwatch.GetTimestamp();
                action();
                seconds.Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
            }
            seconds.Sort();
            return seconds[seconds.Count / 2];
        }
    }
}
