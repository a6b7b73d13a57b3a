using System.Collections.Generic;

namespace Kvpr.Sampling
{
    /// <summary>
    /// How the next token is picked from a row of logits: greedy when <see cref="Temperature"/> is 0,
    /// otherwise a draw from the softmax of logits / temperature, restricted to the <see cref="TopK"/> most
    /// likely tokens and then to the nucleus of probability <see cref="TopP"/> (the order Hugging Face applies them).
    /// </summary>
    public sealed record SamplingOptions
    {
        /// <summary>0 for greedy decoding (argmax, lowest id on ties); otherwise positive.</summary>
        public double Temperature { get; init; }

        /// <summary>Keep only the k most likely tokens; 0 keeps all.</summary>
        public int TopK { get; init; }

        /// <summary>Keep the smallest set of most likely tokens whose probability reaches p; 1 keeps all.</summary>
        public double TopP { get; init; } = 1;

        /// <summary>Seeds each sequence's random stream, so a run is reproducible.</summary>
        public int Seed { get; init; }

        public static SamplingOptions Greedy { get; } = new();

        public bool IsGreedy => Temperature == 0;

        public IReadOnlyList<SpecError> Validate()
        {
            var errors = new List<SpecError>();
            if (!(Temperature >= 0) || double.IsInfinity(Temperature))
                errors.Add(new SpecError(ErrorCodes.InvalidValue, nameof(Temperature), $"Temperature must be 0 (greedy) or a positive number, but is {Temperature}."));
            if (TopK < 0)
                errors.Add(new SpecError(ErrorCodes.InvalidValue, nameof(TopK), $"TopK must be 0 (all tokens) or positive, but is {TopK}."));
            if (!(TopP > 0 && TopP <= 1))
                errors.Add(new SpecError(ErrorCodes.InvalidValue, nameof(TopP), $"TopP must be in (0, 1], but is {TopP}."));
            return errors;
        }
    }
}
