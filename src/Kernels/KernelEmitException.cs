using System;
using System.Collections.Generic;
using System.Linq;

namespace Kvpr.Kernels
{
    /// <summary>Thrown when kernels cannot be emitted for a model: every problem, each with its stable code and field.</summary>
    public sealed class KernelEmitException : Exception
    {
        public KernelEmitException(string modelName, IReadOnlyList<SpecError> errors)
            : base($"Cannot emit CUDA kernels for model '{modelName}': {string.Join(" ", errors.Select(e => $"{e.Code} ({e.Field}): {e.Message}"))}")
        {
            Errors = errors;
        }

        public IReadOnlyList<SpecError> Errors { get; }
    }
}
