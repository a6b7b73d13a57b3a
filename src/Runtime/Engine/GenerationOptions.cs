using System;
using System.Collections.Generic;

namespace Kvpr
{
    /// <summary>What one call to <see cref="Engine.Generate"/> produces and when it stops.</summary>
    public sealed record GenerationOptions
    {
        /// <summary>Tokens generated per sequence at most.</summary>
        public int MaxNewTokens { get; init; } = 32;

        /// <summary>Stop a sequence once it has generated one of <see cref="EosTokenIds"/> (kept in its output).</summary>
        public bool StopOnEos { get; init; } = true;

        public IReadOnlyList<int> EosTokenIds { get; init; } = Array.Empty<int>();

        /// <summary>Keep every prefill logit and the logits each token was chosen from (tests, analysis).</summary>
        public bool CaptureLogits { get; init; }

        public static GenerationOptions Default { get; } = new();
    }
}
