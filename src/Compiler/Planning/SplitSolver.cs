using System;
using System.Collections.Generic;
using System.Linq;
using Kvpr.Lp;

namespace Kvpr.Planning
{
    /// <summary>
    /// Solves <see cref="PlanningProgram"/>s and turns their fractional answers into what runs: the recompute
    /// GEMM is re-linearised at the answer's l until l settles, then l (and the CPU's tokens) are rounded and their
    /// integer neighbours are priced with the exact <see cref="CostModel"/>, so the prediction is for the split that
    /// actually runs.
    /// </summary>
    internal static class SplitSolver
    {
        private const int LinearisationRounds = 4;

        /// <summary>
        /// The best integral split at a fixed residency — l recomputed tokens and, where <paramref name="cpuAttention"/> lets
        /// the CPU attend, its host tokens — and its exact step cost. An automatic CPU share is kept only where it beats the
        /// best split without one, which the program cannot see (the CPU's round trip is not linear in its tokens).
        /// </summary>
        public static (StepShape Shape, StepCost Cost) Solve(CostModel cost, Residency residency, int batch, int length, int microBatches,
            CpuAttentionMode cpuAttention)
        {
            int offloaded = residency.OffloadedLayers(cost.Spec.Layers);
            if (offloaded <= 0)
                return Priced(cost, new StepShape(batch, length, 0), residency, microBatches);

            var (program, solution) = SolveLinearised(
                perToken => PlanningProgram.ForSplit(cost, residency, batch, length, microBatches, perToken, cpuAttention), cost, batch, length);
            // λ = η = 0 with a large T is always feasible and T is bounded below, so anything else is a solver fault.
            if (solution.Status != LpStatus.Optimal)
                throw new InvalidOperationException($"The split program {program.Program.Name} of {cost.Spec.Name} came out {solution.Status}.");
            double l = solution[program.RecomputedTokens] / offloaded;
            double host = program.HostTokens is { } eta ? solution[eta] / offloaded : 0;
            var hostCandidates = program.HostTokens is null ? new[] { 0 }
                : cpuAttention.Kind == CpuAttentionKind.Fraction ? new[] { CpuAttentionMode.TokensOf(cpuAttention.Fraction, length) }
                : Neighbours(host, length);
            var best = hostCandidates
                .SelectMany(hostTokens => Neighbours(l, length - hostTokens).Select(tokens => new StepShape(batch, length, tokens, hostTokens)))
                .Select(shape => Priced(cost, shape, residency, microBatches))
                .OrderBy(c => c.Cost.Seconds).ThenBy(c => Math.Abs(c.Shape.RecomputeTokens - l) + Math.Abs(c.Shape.HostTokens - host))
                .First();
            if (best.Shape.HostTokens == 0 || cpuAttention.Kind != CpuAttentionKind.Auto)
                return best;
            var withoutCpu = Solve(cost, residency, batch, length, microBatches, CpuAttentionMode.Off);
            return withoutCpu.Cost.Seconds <= best.Cost.Seconds ? withoutCpu : best;
        }

        /// <summary>The integers next to <paramref name="tokens"/> (its rounding and one either side), clamped to [0, <paramref name="most"/>].</summary>
        private static IEnumerable<int> Neighbours(double tokens, int most)
        {
            int rounded = (int)Math.Round(tokens, MidpointRounding.AwayFromZero);
            return Enumerable.Range(rounded - 1, 3).Select(t => Math.Max(0, Math.Min(most, t))).Distinct();
        }

        private static (StepShape Shape, StepCost Cost) Priced(CostModel cost, StepShape shape, Residency residency, int microBatches) =>
            (shape, cost.Step(shape, residency, microBatches));

        /// <summary>
        /// Solves the program built by <paramref name="build"/> for a recompute cost per token, starting from the
        /// cost at half the length and re-linearising at each answer's l. Returns the last program and its
        /// solution, which may be infeasible.
        /// </summary>
        public static (PlanningProgram Program, LpSolution Solution) SolveLinearised(Func<double, PlanningProgram> build, CostModel cost, int batch, int length)
        {
            int layers = cost.Spec.Layers;
            int tokens = Math.Max(1, length / 2);
            PlanningProgram program;
            LpSolution solution;
            int round = 0;
            while (true)
            {
                program = build(PlanningProgram.RecomputeSecondsPerToken(cost, batch, tokens));
                solution = SimplexSolver.Solve(program.Program);
                if (solution.Status != LpStatus.Optimal || ++round == LinearisationRounds)
                    return (program, solution);
                double offloaded = layers - solution[program.KvResidentLayers];
                int next = offloaded > 0 ? (int)Math.Round(solution[program.RecomputedTokens] / offloaded) : tokens;
                if (Math.Abs(next - tokens) <= 1)
                    return (program, solution);
                tokens = Math.Max(1, next);
            }
        }
    }
}
