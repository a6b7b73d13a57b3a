namespace Kvpr
{
    /// <summary>
    /// What a <see cref="ModelSpec"/> and a <see cref="DecodeWorkload"/> may state (docs/models.md): generous beyond
    /// every published model, small enough that no size product overflows 64 bits and that the generator's output
    /// stays linear and bounded in the layer count.
    /// </summary>
    public static class ModelLimits
    {
        public static ValueRange Layers { get; } = new(1, 1024);
        public static ValueRange Hidden { get; } = new(1, 65536);
        public static ValueRange Heads { get; } = new(1, 1024);
        public static ValueRange FfnHidden { get; } = new(1, 1 << 20);
        public static ValueRange Vocab { get; } = new(1, 1 << 24);
        public static ValueRange MaxPositions { get; } = new(1, 1 << 24);
        public static ValueRange NormEps { get; } = new(1e-12, 0.1);
        public static ValueRange RopeTheta { get; } = new(1, 1e12);
        /// <summary>RoPE scaling's factor and Llama 3's frequency factors.</summary>
        public static ValueRange RopeScalingFactor { get; } = new(1e-3, 1e4);

        public static ValueRange Batch { get; } = new(1, 65536);
        public static ValueRange MicroBatches { get; } = new(1, 1024);

        /// <summary>
        /// Most bytes a workload's KV store (X, K and V of every layer and sequence at the longest length) may take:
        /// 1 PiB, beyond any machine, and far enough below 2⁶³ that every size the planner computes fits a long.
        /// </summary>
        public const long MaxStoreBytes = 1L << 50;
    }
}
