using System;
using System.Collections.Generic;
using Kvpr.Sampling;

namespace Kvpr.Text
{
    /// <summary>How <see cref="TextGenerator"/> continues its prompts.</summary>
    public sealed record TextGenerationOptions
    {
        /// <summary>Tokens generated per sequence at most (a request may ask for fewer or more).</summary>
        public int MaxNewTokens { get; init; } = 32;

        /// <summary>Greedy (the default) or seeded sampling.</summary>
        public SamplingOptions Sampling { get; init; } = SamplingOptions.Greedy;

        /// <summary>Texts that end every sequence where they appear (generation_config.json's stop_strings, --stop).</summary>
        public IReadOnlyList<string> StopStrings { get; init; } = Array.Empty<string>();

        public static TextGenerationOptions Default { get; } = new();
    }
}
