using System.Linq;
using Kvpr.Planning;

namespace Kvpr.Generators.Model
{
    /// <summary>
    /// One class carrying [TransformerModel], as the parser understood it: where to emit (namespace and the chain of
    /// partial types) and what to compile (a validated spec and workload). Plain values only, so the pipeline caches it.
    /// </summary>
    /// <param name="Location">The [TransformerModel] attribute.</param>
    /// <param name="Arguments">Where each named argument of both attributes was written, for errors found while planning.</param>
    /// <param name="CpuAttention">The planner's CPU attention mode (DecodeWorkload's CpuAttention; off when unset).</param>
    internal sealed record ModelDeclaration(
        string? Namespace,
        EquatableArray<TypeHeader> ContainingTypes,
        TypeHeader Type,
        ModelSpec Spec,
        DecodeWorkload Workload,
        bool WorkloadDeclared,
        CpuAttentionMode CpuAttention,
        LocationInfo? Location,
        EquatableArray<ArgumentLocation> Arguments)
    {
        /// <summary>The argument that set <paramref name="field"/>, or the [TransformerModel] attribute.</summary>
        public LocationInfo? LocationOf(string field) => Arguments.FirstOrDefault(a => a.Field == field)?.Location ?? Location;
    }
}
