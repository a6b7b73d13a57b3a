using System.Collections.Generic;

namespace Kvpr.Kernels.Emission
{
    /// <summary>
    /// The parameters that place a block of token rows in their sequences: rows hold <c>row_tokens</c> consecutive
    /// tokens of each sequence, from position <c>first_position</c> (a decode step: 1 and s'; prefill: the prompt
    /// length and 0; recompute of [start, end): end - start and start).
    /// </summary>
    internal static class RowMapping
    {
        public static IEnumerable<KernelParameter> Parameters()
        {
            yield return new KernelParameter("int", "row_tokens", "tokens per sequence among the rows (1 in a decode step)");
            yield return new KernelParameter("int", "first_position", "position of each sequence's first row (s' in a decode step)");
        }
    }
}
