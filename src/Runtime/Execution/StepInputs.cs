using System.Collections.Generic;

namespace Kvpr.Execution
{
    /// <summary>
    /// What one run of a step graph works on: the stored length s', how many new tokens each sequence appends
    /// (one when decoding, the prompt in prefill), l per layer, the new token ids per micro-batch
    /// ([sequence][new token] flattened), whether the head computes logits for every new token, and per layer the
    /// stored tokens the CPU attends to (the last ones; none when <see cref="HostTokens"/> is null).
    /// </summary>
    internal sealed record StepInputs(int Length, int NewTokens, IReadOnlyList<int> RecomputeTokens, IReadOnlyList<IReadOnlyList<int>> TokenIds, bool LogitsForAllNewTokens,
        IReadOnlyList<int>? HostTokens = null)
    {
        /// <summary>Tokens of layer <paramref name="layer"/> the CPU attends to this step.</summary>
        public int HostTokensOf(int layer) => HostTokens?[layer] ?? 0;
    }
}
