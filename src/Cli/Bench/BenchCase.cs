using System;
using System.Collections.Generic;

namespace Kvpr.Cli.Bench
{
    /// <summary>
    /// One benchmarked workload: a model's dimensions and a batch of equal prompts decoded for some new tokens.
    /// The model's positions are widened to the workload's length where needed, since only its dimensions matter
    /// to the timings (OPT's 2048 positions cannot hold a 2048-token prompt plus new tokens).
    /// </summary>
    internal sealed record BenchCase(ModelSpec Spec, int Batch, int PromptLength, int NewTokens)
    {
        public static BenchCase Create(ModelSpec spec, int batch, int promptLength, int newTokens)
        {
            if (batch < 1 || promptLength < 1 || newTokens < 2)
                throw new UsageException($"A benchmark needs at least 1 sequence, 1 prompt token and 2 new tokens (the first comes from the prefill); got batch {batch}, prompt {promptLength}, new tokens {newTokens}.");
            int length = promptLength + newTokens;
            return new BenchCase(length > spec.MaxPositions ? spec with { MaxPositions = length } : spec, batch, promptLength, newTokens);
        }

        /// <summary>The decode steps the engine runs after the prefill, which yields the first token.</summary>
        public int DecodeSteps => NewTokens - 1;

        /// <summary>s' of decode step <paramref name="step"/> (1-based): the prompt and the tokens generated before it.</summary>
        public int LengthAt(int step) => PromptLength + step - 1;

        public override string ToString() => $"{Spec.Name} batch {Batch} prompt {PromptLength} +{NewTokens}";

        /// <summary>The workloads of the GPU performance issue: OPT-6.7B at batch 32, 8 (prompt 2048) and 64, OPT-13B at batch 32.</summary>
        public static IReadOnlyList<BenchCase> IssueSuite()
        {
            var opt67 = ModelCatalog.Get("opt-6.7b");
            return new[]
            {
                Create(opt67, 32, 1024, 32),
                Create(opt67, 8, 2048, 32),
                Create(opt67, 64, 1024, 32),
                Create(ModelCatalog.Get("opt-13b"), 32, 1024, 32),
            };
        }
    }
}
