using System;
using System.Collections.Generic;

namespace Kvpr.Text
{
    /// <summary>One sequence to continue: its prompt ids, and its own token limit and stop strings if it has them.</summary>
    public sealed record TextRequest(int[] PromptIds)
    {
        /// <summary>Tokens to generate at most; null for the call's <see cref="TextGenerationOptions.MaxNewTokens"/>.</summary>
        public int? MaxNewTokens { get; init; }

        /// <summary>Texts that end the sequence where they appear (left out of its text), besides the call's.</summary>
        public IReadOnlyList<string> Stop { get; init; } = Array.Empty<string>();
    }
}
