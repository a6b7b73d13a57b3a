using System;
using System.Collections.Generic;
using System.Linq;

namespace Kvpr
{
    /// <summary>A model, workload or plan that cannot be compiled, with every problem found (code, field, message).</summary>
    public sealed class SpecException : Exception
    {
        public SpecException(IReadOnlyList<SpecError> errors)
            : base(string.Join(Environment.NewLine, errors.Select(e => e.ToString())))
        {
            Errors = errors;
        }

        public IReadOnlyList<SpecError> Errors { get; }
    }
}
