using System;
using System.Collections.Generic;
using System.Linq;

namespace Kvpr.Planning
{
    /// <summary>
    /// The sizes a generation's device buffers follow: the sequences of each micro-batch, the tokens per
    /// sequence the KV buffers hold (prompt + new tokens), the new tokens one step appends per sequence (the
    /// whole prompt in prefill) and the logit rows kept per sequence (1, or the prompt when tests capture them).
    /// </summary>
    public sealed class DeviceBufferShape
    {
        public DeviceBufferShape(IReadOnlyList<int> microBatchSizes, int capacity, int maxNewTokens, int logitRows)
        {
            if (microBatchSizes is null || microBatchSizes.Count == 0 || microBatchSizes.Any(size => size < 1))
                throw new ArgumentException("Every micro-batch needs at least one sequence.", nameof(microBatchSizes));
            MicroBatchSizes = microBatchSizes;
            Capacity = capacity;
            MaxNewTokens = maxNewTokens;
            LogitRows = logitRows;
        }

        public IReadOnlyList<int> MicroBatchSizes { get; }
        public int Capacity { get; }
        public int MaxNewTokens { get; }
        public int LogitRows { get; }

        /// <summary>Sequences of the largest micro-batch: slots and scratch serve one micro-batch at a time.</summary>
        public int MaxBatch => MicroBatchSizes.Max();

        /// <summary>The shape of <paramref name="workload"/>: its micro-batches of <see cref="DecodeWorkload.Batch"/>, last-token logits.</summary>
        public static DeviceBufferShape For(DecodeWorkload workload) =>
            new(Enumerable.Repeat(workload.Batch, workload.MicroBatches).ToArray(), workload.MaxLength, workload.PromptLength, 1);
    }
}
