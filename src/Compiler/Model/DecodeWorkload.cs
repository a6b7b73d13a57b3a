using System;
using System.Collections.Generic;

namespace Kvpr
{
    /// <summary>
    /// What a plan is made for: how many sequences decode together, from which prompt length, for how many
    /// new tokens, with which objective, and optionally under a GPU memory cap below the profile's.
    /// </summary>
    public sealed record DecodeWorkload
    {
        public Objective Objective { get; init; } = Objective.Latency;
        /// <summary>Sequences per micro-batch.</summary>
        public int Batch { get; init; } = 1;
        public int PromptLength { get; init; }
        public int MaxNewTokens { get; init; }
        /// <summary>Micro-batches that share each layer's weights (column-by-column); 1 for latency.</summary>
        public int MicroBatches { get; init; } = 1;
        /// <summary>GPU memory the plan may use; null for the profile's whole memory.</summary>
        public long? GpuMemoryBytes { get; init; }

        /// <summary>Caps the host memory for the weights' host copies and the KV store (default: the profile's host memory).</summary>
        public long? HostMemoryBytes { get; init; }

        /// <summary>Longest sequence the workload reaches: prompt plus all new tokens.</summary>
        public int MaxLength => PromptLength + MaxNewTokens;

        /// <summary>The workload used when a model declares none: a latency plan for a batch of 8.</summary>
        public static DecodeWorkload DefaultFor(ModelSpec spec)
        {
            int prompt = Math.Max(1, Math.Min(1024, spec.MaxPositions / 2));
            return new DecodeWorkload { Batch = 8, PromptLength = prompt, MaxNewTokens = Math.Max(1, Math.Min(32, spec.MaxPositions - prompt)) };
        }

        public IReadOnlyList<SpecError> Validate(ModelSpec spec)
        {
            var errors = new List<SpecError>();
            void Positive(string field, long value)
            {
                if (value <= 0)
                    errors.Add(new SpecError(ErrorCodes.InvalidWorkload, field, $"{field} must be positive, but is {value}."));
            }

            Positive(nameof(Batch), Batch);
            Positive(nameof(PromptLength), PromptLength);
            Positive(nameof(MaxNewTokens), MaxNewTokens);
            Positive(nameof(MicroBatches), MicroBatches);
            if (GpuMemoryBytes is long cap)
                Positive(nameof(GpuMemoryBytes), cap);
            if (HostMemoryBytes is long hostCap)
                Positive(nameof(HostMemoryBytes), hostCap);
            if (Objective == Objective.Latency && MicroBatches != 1)
                errors.Add(new SpecError(ErrorCodes.InvalidWorkload, nameof(MicroBatches),
                    $"A latency workload decodes one batch (MicroBatches = 1), but MicroBatches is {MicroBatches}; use Objective.Throughput for micro-batches."));
            if (PromptLength > 0 && MaxNewTokens > 0 && (long)PromptLength + MaxNewTokens > spec.MaxPositions)
                errors.Add(new SpecError(ErrorCodes.InvalidWorkload, nameof(MaxNewTokens),
                    $"PromptLength ({PromptLength}) + MaxNewTokens ({MaxNewTokens}) exceeds the model's MaxPositions ({spec.MaxPositions})."));
            return errors;
        }
    }
}
