using System;
using System.Collections.Generic;
using System.Linq;

namespace Kvpr.Planning
{
    /// <summary>A plan, or the errors (with their stable codes) that prevented one, for diagnostics and the CLI.</summary>
    public sealed class PlanResult
    {
        private PlanResult(DecodePlan? plan, IReadOnlyList<SpecError> errors)
        {
            Plan = plan;
            Errors = errors;
        }

        public DecodePlan? Plan { get; }
        public IReadOnlyList<SpecError> Errors { get; }
        public bool Succeeded => Plan is not null;

        public static PlanResult Success(DecodePlan plan) => new(plan ?? throw new ArgumentNullException(nameof(plan)), Array.Empty<SpecError>());

        public static PlanResult Failure(IEnumerable<SpecError> errors)
        {
            var list = errors.ToArray();
            return list.Length > 0 ? new PlanResult(null, list) : throw new ArgumentException("A failed plan needs at least one error.", nameof(errors));
        }

        /// <summary>The plan; throws with every error's message when there is none.</summary>
        public DecodePlan GetPlanOrThrow() => Plan ?? throw new InvalidOperationException(string.Join(Environment.NewLine, Errors));
    }
}
