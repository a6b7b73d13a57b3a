using System;
using System.Collections.Generic;
using System.Linq;

namespace Kvpr.Planning
{
    /// <summary>
    /// The sizes a generation's device buffers follow: the sequences of each micro-batch, the tokens per
    /// sequence the KV buffers hold (prompt + new tokens), the new tokens one step appends per sequence (a prefill
    /// chunk of the prompt) and the logit rows kept per sequence (1, or a prefill chunk when tests capture them).
    /// </summary>
    public sealed class DeviceBufferShape
    {
        /// <summary>
        /// Rows (sequences × tokens) a prefill chunk holds by default: prompts longer than this over the batch are
        /// prefilled in chunks, each attending to the chunks before it, so scratch does not grow with the prompt.
        /// OPT-6.7B at batch 32 then needs 0.8 GB of scratch instead of 3.2 GB at prompt 1024.
        /// </summary>
        public const int DefaultPrefillRows = 8192;

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

        /// <summary>
        /// The shape of <paramref name="workload"/>: its micro-batches of <see cref="DecodeWorkload.Batch"/>, default prefill chunks
        /// and last-token logits.
        /// </summary>
        public static DeviceBufferShape For(DecodeWorkload workload) =>
            new(Enumerable.Repeat(workload.Batch, workload.MicroBatches).ToArray(), workload.MaxLength,
                PrefillTokens(workload.Batch, workload.PromptLength, DefaultPrefillRows), 1);

        /// <summary>Prompt tokens per sequence a prefill chunk takes: <paramref name="prefillRows"/> over the batch, at least one, at most the prompt.</summary>
        public static int PrefillTokens(int batch, int promptLength, int prefillRows) => Math.Max(1, Math.Min(promptLength, prefillRows / Math.Max(1, batch)));
    }
}
