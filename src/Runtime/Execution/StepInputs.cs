using System.Collections.Generic;

namespace Kvpr.Execution
{
    /// <summary>
    /// What one run of a step graph works on: the stored length s', how many new tokens each sequence appends
    /// (one when decoding, the prompt in prefill), l per layer, the new token ids per micro-batch
    /// ([sequence][new token] flattened) and whether the head computes logits for every new token.
    /// </summary>
    internal sealed record StepInputs(int Length, int NewTokens, IReadOnlyList<int> RecomputeTokens, IReadOnlyList<IReadOnlyList<int>> TokenIds, bool LogitsForAllNewTokens);
}
