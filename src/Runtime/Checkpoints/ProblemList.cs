using System.Collections.Generic;
using System.Linq;

namespace Kvpr.Checkpoints
{
    /// <summary>
    /// How a list of problems reads in a message: the first <see cref="Listed"/>, then a count of the rest, so a config
    /// that is wrong everywhere (100,000 layers against a 2-layer checkpoint) gives a screenful, not millions of lines.
    /// </summary>
    internal static class ProblemList
    {
        public const int Listed = 20;

        public static IReadOnlyList<string> Summarise(IReadOnlyList<string> problems)
        {
            var lines = problems.Take(Listed).ToList();
            if (problems.Count > Listed)
                lines.Add($"… and {problems.Count - Listed} more");
            return lines;
        }
    }
}
