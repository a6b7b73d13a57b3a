using System;
using System.Linq;
using Kvpr.Graphs;

namespace Kvpr.Planning
{
    /// <summary>
    /// How a schedule groups sequences into micro-batches, and the objective that grouping plans for: the one place
    /// the objective and the schedule are mapped onto each other (engines, blueprints and the CLI all ask here).
    /// </summary>
    public static class MicroBatching
    {
        /// <summary>The schedule a plan for <paramref name="objective"/> runs with: column-by-column for throughput.</summary>
        public static ScheduleKind ScheduleFor(Objective objective) =>
            objective == Objective.Throughput ? ScheduleKind.ColumnByColumn : ScheduleKind.RowByRow;

        /// <summary>Sequences per micro-batch: one group for row-by-row, otherwise up to <paramref name="microBatches"/> groups as even as possible.</summary>
        public static int[] Sizes(ScheduleKind schedule, int microBatches, int sequences)
        {
            if (sequences < 1)
                throw new ArgumentOutOfRangeException(nameof(sequences), sequences, "At least one sequence is needed.");
            int groups = schedule == ScheduleKind.RowByRow ? 1 : Math.Min(microBatches, sequences);
            return Enumerable.Range(0, groups).Select(g => ParallelPlanner.PartOf(sequences, groups, g)).ToArray();
        }

        /// <summary>The workload <paramref name="sequences"/> sequences decode as under this grouping: throughput when there are several micro-batches.</summary>
        public static DecodeWorkload Workload(ScheduleKind schedule, int microBatches, int sequences, int promptLength, int maxNewTokens)
        {
            var sizes = Sizes(schedule, microBatches, sequences);
            return new DecodeWorkload
            {
                Objective = sizes.Length > 1 ? Objective.Throughput : Objective.Latency,
                Batch = sizes.Max(),
                PromptLength = promptLength,
                MaxNewTokens = maxNewTokens,
                MicroBatches = sizes.Length,
            };
        }
    }
}
