namespace Kvpr
{
    /// <summary>
    /// Everything Kvpr compiles for one model, profile and workload. The source generator builds it at build time
    /// and emits it as C# literals; the runtime builds the same one with <see cref="Compile"/> for a checkpoint
    /// nobody annotated. Value equality, so a test can check that both paths agree.
    /// </summary>
    public sealed record EngineBlueprint(ModelSpec Spec, DecodeWorkload Workload, WeightMap WeightMap)
    {
        /// <summary>The one aggregation both paths share: validates its inputs, then plans and emits everything.</summary>
        /// <exception cref="SpecException">The spec or workload is invalid; the exception lists every problem.</exception>
        public static EngineBlueprint Compile(ModelSpec spec, HardwareProfile profile, DecodeWorkload workload)
        {
            SpecException.ThrowIfAny(spec.Validate());
            SpecException.ThrowIfAny(workload.Validate(spec));
            return new EngineBlueprint(spec, workload, WeightMap.For(spec));
        }
    }
}
