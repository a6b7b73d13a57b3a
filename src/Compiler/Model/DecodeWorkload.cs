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
            void InRange(string field, double value, ValueRange range)
            {
                if (!range.Contains(value))
                    errors.Add(new SpecError(ErrorCodes.InvalidWorkload, field, $"{field} must be in {range}, but is {ValueRange.Format(value)}."));
            }

            InRange(nameof(Batch), Batch, ModelLimits.Batch);
            InRange(nameof(PromptLength), PromptLength, ModelLimits.MaxPositions);
            InRange(nameof(MaxNewTokens), MaxNewTokens, ModelLimits.MaxPositions);
            InRange(nameof(MicroBatches), MicroBatches, ModelLimits.MicroBatches);
            if (GpuMemoryBytes is long cap && cap <= 0)
                errors.Add(new SpecError(ErrorCodes.InvalidWorkload, nameof(GpuMemoryBytes), $"GpuMemoryBytes must be positive, but is {cap}."));
            if (HostMemoryBytes is long hostCap && hostCap <= 0)
                errors.Add(new SpecError(ErrorCodes.InvalidWorkload, nameof(HostMemoryBytes), $"HostMemoryBytes must be positive, but is {hostCap}."));
            if (Objective == Objective.Latency && MicroBatches != 1)
                errors.Add(new SpecError(ErrorCodes.InvalidWorkload, nameof(MicroBatches),
                    $"A latency workload decodes one batch (MicroBatches = 1), but MicroBatches is {MicroBatches}; use Objective.Throughput for micro-batches."));
            if (PromptLength > spec.MaxPositions)
                errors.Add(new SpecError(ErrorCodes.InvalidWorkload, nameof(PromptLength),
                    $"PromptLength ({PromptLength}) exceeds the model's MaxPositions ({spec.MaxPositions})."));
            else if (PromptLength > 0 && MaxNewTokens > 0 && (long)PromptLength + MaxNewTokens > spec.MaxPositions)
                errors.Add(new SpecError(ErrorCodes.InvalidWorkload, nameof(MaxNewTokens),
                    $"PromptLength ({PromptLength}) + MaxNewTokens ({MaxNewTokens}) exceeds the model's MaxPositions ({spec.MaxPositions})."));
            // In doubles: the point is to refuse before any long product can overflow.
            double storeBytes = (double)Batch * MicroBatches * ((double)PromptLength + MaxNewTokens) * spec.Layers
                * (spec.Hidden + 2.0 * spec.KvHeads * spec.HeadDim) * spec.ElementBytes;
            if (errors.Count == 0 && storeBytes > ModelLimits.MaxStoreBytes)
                errors.Add(new SpecError(ErrorCodes.InvalidWorkload, nameof(Batch),
                    $"The KV store of {spec.Name} for {MicroBatches} × {Batch} sequences of {MaxLength} tokens would take {storeBytes:E3} bytes, " +
                    $"more than the {ModelLimits.MaxStoreBytes:N0} bytes (1 PiB) Kvpr plans for."));
            return errors;
        }
    }
}
