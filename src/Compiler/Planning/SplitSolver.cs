using System;
using System.Linq;
using Kvpr.Lp;

namespace Kvpr.Planning
{
    /// <summary>
    /// Solves <see cref="PlanningProgram"/>s and turns their fractional answers into what runs: the recompute
    /// GEMM is re-linearised at the answer's l until l settles, then l is rounded and its integer neighbours are
    /// priced with the exact <see cref="CostModel"/>, so the prediction is for the l that actually runs.
    /// </summary>
    internal static class SplitSolver
    {
        private const int LinearisationRounds = 4;

        /// <summary>The best integral l at a fixed residency and its exact step cost.</summary>
        public static (int RecomputeTokens, StepCost Cost) Solve(CostModel cost, Residency residency, int batch, int length, int microBatches)
        {
            int offloaded = cost.Spec.Layers - residency.KvResidentLayers;
            if (offloaded <= 0)
                return (0, cost.Step(new StepShape(batch, length, 0), residency, microBatches));

            var (program, solution) = SolveLinearised(
                perToken => PlanningProgram.ForSplit(cost, residency, batch, length, microBatches, perToken), cost, batch, length);
            // λ = 0 with a large T is always feasible and T is bounded below, so anything else is a solver fault.
            if (solution.Status != LpStatus.Optimal)
                throw new InvalidOperationException($"The split program {program.Program.Name} of {cost.Spec.Name} came out {solution.Status}.");
            double l = solution[program.RecomputedTokens] / offloaded;
            int rounded = (int)Math.Round(l, MidpointRounding.AwayFromZero);
            return Enumerable.Range(rounded - 1, 3)
                .Where(tokens => tokens >= 0 && tokens <= length)
                .Select(tokens => (tokens, cost: cost.Step(new StepShape(batch, length, tokens), residency, microBatches)))
                .OrderBy(c => c.cost.Seconds).ThenBy(c => Math.Abs(c.tokens - l))
                .First();
        }

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
