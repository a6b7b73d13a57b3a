using System;
using Kvpr.Graphs;
using Kvpr.Planning;

namespace Kvpr.Cli.Batch
{
    /// <summary>
    /// How many requests of one bucket (prompt length, sampling) to decode together: the most, up to the cap, whose
    /// workload the planner can fit on the profile's GPU under the schedule's objective (throughput for the column
    /// schedule's micro-batches); the engine then plans that batch's split itself.
    /// </summary>
    internal sealed class BatchPlanner
    {
        private readonly ModelSpec _spec;
        private readonly HardwareProfile _profile;
        private readonly ScheduleKind _schedule;
        private readonly int _microBatches;
        private readonly int _maxBatch;

        public BatchPlanner(ModelSpec spec, HardwareProfile profile, ScheduleKind schedule, int microBatches, int maxBatch)
        {
            _spec = spec;
            _profile = profile;
            _schedule = schedule;
            _microBatches = microBatches;
            _maxBatch = maxBatch;
        }

        public int BatchSize(int requests, int promptLength, int maxNewTokens)
        {
            int batch = Math.Min(requests, _maxBatch);
            while (batch > 1 && !DecodePlanner.Plan(_spec, _profile, Workload(batch, promptLength, maxNewTokens)).Succeeded)
                batch = (batch + 1) / 2;
            return batch;
        }

        /// <summary>The workload the engine plans for <paramref name="batch"/> sequences: its micro-batches as the schedule splits them.</summary>
        private DecodeWorkload Workload(int batch, int promptLength, int maxNewTokens) =>
            MicroBatching.Workload(_schedule, _microBatches, batch, promptLength, maxNewTokens);
    }
}
