using System;
using System.Collections.Generic;
using System.Linq;

namespace Kvpr.Graphs
{
    /// <summary>Thrown where a graph must be valid to be used (simulation, execution); carries every problem found.</summary>
    public sealed class InvalidGraphException : Exception
    {
        public InvalidGraphException(IReadOnlyList<SpecError> errors)
            : base("The execution graph is invalid:\n" + string.Join("\n", errors.Select(e => "  " + e)))
        {
            Errors = errors;
        }

        public IReadOnlyList<SpecError> Errors { get; }
    }
}
