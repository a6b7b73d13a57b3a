using System;
using Kvpr.Graphs;
using Kvpr.Planning;

namespace Kvpr
{
    /// <summary>How an <see cref="Engine"/> runs: device, decode schedule and the split between recomputed and transferred KV.</summary>
    public sealed record EngineOptions
    {
        public ComputeDevice Device { get; init; } = ComputeDevice.Cpu;

        /// <summary>Which GPU <see cref="ComputeDevice.Cuda"/> uses (the driver's ordinal).</summary>
        public int DeviceIndex { get; init; }

        /// <summary>Row-by-row (latency) or column-by-column (throughput, over <see cref="MicroBatches"/>).</summary>
        public ScheduleKind Schedule { get; init; } = ScheduleKind.RowByRow;

        /// <summary>Micro-batches the sequences are split into for column-by-column; row-by-row uses one.</summary>
        public int MicroBatches { get; init; } = 2;

        /// <summary>Chunks each layer's recomputed prefix is loaded and recomputed in, so recompute starts before the whole prefix has arrived.</summary>
        public int ActivationChunks { get; init; } = 1;

        public SplitPolicy Split { get; init; } = SplitPolicy.Auto;

        /// <summary>
        /// Which layers keep their KV and their weights on the device, instead of what <see cref="Split"/> plans (a plan's
        /// residency; for a fixed split every layer's weights resident and its KV offloaded). Other layers stream.
        /// </summary>
        public Residency? Residency { get; init; }

        /// <summary>
        /// Rows (sequences × tokens) of a prefill chunk: longer prompts are prefilled chunk by chunk, each attending to
        /// the chunks before it, which bounds the scratch the plan counts (<see cref="DeviceBufferShape.DefaultPrefillRows"/>).
        /// </summary>
        public int PrefillRows { get; init; } = DeviceBufferShape.DefaultPrefillRows;

        /// <summary>A hard cap on the GPU memory a generation may use: plans fit under it, and a generation that cannot fails before allocating.</summary>
        public long? GpuMemoryBytes { get; init; }

        /// <summary>
        /// Ranks the model is split over by tensor parallelism: each holds a share of the heads and FFN columns, and the
        /// outputs of every attention and MLP are summed across them (an all-reduce); 1 runs the whole model on one device.
        /// Runs on the CPU backend's simulated devices, one thread per rank; the heads, KV heads and FFN columns must divide by it.
        /// </summary>
        public int TensorParallel { get; init; } = 1;

        public static EngineOptions Default { get; } = new();

        internal void Check()
        {
            if (MicroBatches < 1)
                throw new ArgumentOutOfRangeException(nameof(MicroBatches), MicroBatches, "At least one micro-batch is needed.");
            if (ActivationChunks < 1)
                throw new ArgumentOutOfRangeException(nameof(ActivationChunks), ActivationChunks, "At least one activation chunk is needed.");
            if (DeviceIndex < 0)
                throw new ArgumentOutOfRangeException(nameof(DeviceIndex), DeviceIndex, "Device indices start at 0.");
            if (PrefillRows < 1)
                throw new ArgumentOutOfRangeException(nameof(PrefillRows), PrefillRows, "A prefill chunk needs at least one row.");
            if (GpuMemoryBytes is <= 0)
                throw new ArgumentOutOfRangeException(nameof(GpuMemoryBytes), GpuMemoryBytes, "The GPU memory cap must be positive.");
            if (TensorParallel < 1)
                throw new ArgumentOutOfRangeException(nameof(TensorParallel), TensorParallel, "A model is split over at least 1 rank (1 is no tensor parallelism).");
            if (TensorParallel > 1 && Device != ComputeDevice.Cpu)
                throw new NotSupportedException($"{ErrorCodes.InvalidValue}: tensor parallelism runs on the CPU backend's simulated devices; multi-GPU execution needs NCCL and several GPUs.");
            if (Split is null)
                throw new ArgumentNullException(nameof(Split), "A split policy is needed.");
        }
    }
}
