using System;

namespace Kvpr
{
    /// <summary>
    /// A step's logits hold no token to pick (a NaN or +infinity): the weights or the numbers they produce are not finite. Names the
    /// step and the sequence, and points at the scan that names the tensor (<see cref="CheckpointWeights.CheckFinite"/>).
    /// </summary>
    public sealed class InvalidLogitsException : Exception
    {
        public InvalidLogitsException(int step, int sequence, string reason)
            : base($"{ErrorCodes.InvalidWeights}: {(step == 0 ? "the prefill (step 0)" : $"decode step {step}")}, sequence {sequence}: {reason} " +
                "The model computes non-finite numbers; check the weights for NaN and infinity with `kvpr run --check-weights` (CheckpointWeights.CheckFinite).")
        {
            Step = step;
            Sequence = sequence;
        }

        public int Step { get; }

        /// <summary>The sequence's index among the prompts of the call.</summary>
        public int Sequence { get; }
    }
}
