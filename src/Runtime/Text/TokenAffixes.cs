using System.Collections.Generic;

namespace Kvpr.Text
{
    /// <summary>The special token ids a checkpoint puts before and after every encoded text (BOS, EOS).</summary>
    internal sealed record TokenAffixes(IReadOnlyList<int> Prefix, IReadOnlyList<int> Suffix)
    {
        public static TokenAffixes None { get; } = new(new int[0], new int[0]);
    }
}
