namespace Kvpr.Planning
{
    /// <summary>How a plan gives stored tokens to CPU attention (see <see cref="CpuAttentionMode"/>).</summary>
    public enum CpuAttentionKind
    {
        /// <summary>The CPU attends to no token: every stored token is recomputed or transferred.</summary>
        Off,

        /// <summary>The split program chooses the CPU's share where the profile, the model and the step allow it.</summary>
        Auto,

        /// <summary>A fixed share of the stored tokens; the program splits the rest between recompute and transfer.</summary>
        Fraction,
    }
}
