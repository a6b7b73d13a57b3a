using System;
using System.Collections.Generic;
using System.Linq;
using Kvpr.Lp;

namespace Kvpr.Planning
{
    /// <summary>
    /// Chooses how many layers keep their KV and their weights on the GPU, once for the whole generation, at
    /// the workload's longest length where memory binds. The relaxed counts are rounded down (memory stays
    /// within budget), then grown one layer at a time while that still fits and shortens the step.
    /// </summary>
    internal static class ResidencySolver
    {
        private const double IntegralTolerance = 1e-6;

        /// <summary>The best residency that fits, or null when none of the programs is feasible.</summary>
        /// <param name="residentWeights">Consider only residencies that keep every layer's weights on the GPU.</param>
        /// <param name="cpuAttention">Whether and how much the CPU attends to, as the split program takes it.</param>
        public static Residency? Solve(CostModel cost, MemoryModel memory, DecodeWorkload workload, bool residentWeights, CpuAttentionMode cpuAttention)
        {
            var candidates = new List<Residency>();
            foreach (bool allKvResident in new[] { true, false })
            {
                foreach (bool allWeightsResident in residentWeights ? new[] { true } : new[] { true, false })
                {
                    var (program, solution) = SplitSolver.SolveLinearised(
                        perToken => PlanningProgram.ForResidency(cost, memory, workload, allKvResident, allWeightsResident, perToken, cpuAttention),
                        cost, workload.Batch, workload.MaxLength);
                    if (solution.Status != LpStatus.Optimal)
                        continue;
                    double kv = solution[program.KvResidentLayers], weights = solution[program.WeightResidentLayers];
                    // Allow for the solver's round-off on counts that are integral, unless that oversteps the budget.
                    var rounded = new Residency(RoundDown(kv, IntegralTolerance), RoundDown(weights, IntegralTolerance));
                    candidates.Add(memory.Fits(rounded) ? rounded : new Residency(RoundDown(kv, 0), RoundDown(weights, 0)));
                }
            }

            return candidates.Where(memory.Fits)
                .Select(residency => Grow(cost, memory, workload, residency, cpuAttention))
                .OrderBy(c => c.Seconds)
                .Select(c => (Residency?)c.Residency)
                .FirstOrDefault();
        }

        private static double StepSeconds(CostModel cost, DecodeWorkload workload, Residency residency, CpuAttentionMode cpuAttention) =>
            SplitSolver.Solve(cost, residency, workload.Batch, workload.MaxLength, workload.MicroBatches, cpuAttention).Cost.Seconds;

        private static (Residency Residency, double Seconds) Grow(CostModel cost, MemoryModel memory, DecodeWorkload workload, Residency residency,
            CpuAttentionMode cpuAttention)
        {
            int layers = cost.Spec.Layers;
            double seconds = StepSeconds(cost, workload, residency, cpuAttention);
            while (true)
            {
                var better = new[] { residency with { KvResidentLayers = residency.KvResidentLayers + 1 }, residency with { WeightResidentLayers = residency.WeightResidentLayers + 1 } }
                    .Where(r => r.KvResidentLayers <= layers && r.WeightResidentLayers <= layers && memory.Fits(r))
                    .Select(r => (Residency: r, Seconds: StepSeconds(cost, workload, r, cpuAttention)))
                    .Where(c => c.Seconds < seconds)
                    .OrderBy(c => c.Seconds)
                    .ToArray();
                if (better.Length == 0)
                    return (residency, seconds);
                (residency, seconds) = better[0];
            }
        }

        private static int RoundDown(double layers, double tolerance) => (int)Math.Floor(layers + tolerance);
    }
}
