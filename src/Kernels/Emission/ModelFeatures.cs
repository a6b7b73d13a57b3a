namespace Kvpr.Kernels.Emission
{
    /// <summary>How a model encodes positions; decides which kernels and constants are emitted.</summary>
    internal static class ModelFeatures
    {
        /// <summary>Rotary embeddings on q and k (Llama).</summary>
        public static bool UsesRope(this ModelSpec spec) => spec.RopeTheta > 0;

        /// <summary>A learned position table added to the token embeddings (OPT, rows offset by <see cref="ModelSpec.PositionOffset"/>).</summary>
        public static bool UsesLearnedPositions(this ModelSpec spec) => spec.Architecture == Architecture.Opt;
    }
}
