using System;
using Kvpr.Graphs;

namespace Kvpr
{
    /// <summary>How an <see cref="Engine"/> runs: device, decode schedule and the split between recomputed and transferred KV.</summary>
    public sealed record EngineOptions
    {
        public ComputeDevice Device { get; init; } = ComputeDevice.Cpu;

        /// <summary>Row-by-row (latency) or column-by-column (throughput, over <see cref="MicroBatches"/>).</summary>
        public ScheduleKind Schedule { get; init; } = ScheduleKind.RowByRow;

        /// <summary>Micro-batches the sequences are split into for column-by-column; row-by-row uses one.</summary>
        public int MicroBatches { get; init; } = 2;

        /// <summary>Chunks each layer's recomputed prefix is loaded and recomputed in, so recompute starts before the whole prefix has arrived.</summary>
        public int ActivationChunks { get; init; } = 1;

        public SplitPolicy Split { get; init; } = SplitPolicy.Auto;

        public static EngineOptions Default { get; } = new();

        internal void Check()
        {
            if (MicroBatches < 1)
                throw new ArgumentOutOfRangeException(nameof(MicroBatches), MicroBatches, "At least one micro-batch is needed.");
            if (ActivationChunks < 1)
                throw new ArgumentOutOfRangeException(nameof(ActivationChunks), ActivationChunks, "At least one activation chunk is needed.");
            if (Split is null)
                throw new ArgumentNullException(nameof(Split), "A split policy is needed.");
        }
    }
}
