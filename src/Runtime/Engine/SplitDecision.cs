namespace Kvpr
{
    /// <summary>
    /// How one offloaded layer splits its s' stored tokens at one decode step: the first <see cref="RecomputeTokens"/> are
    /// recomputed from their activations, the last <see cref="HostTokens"/> are attended to by the CPU in the host store,
    /// and the K and V of the ones between cross the link.
    /// </summary>
    public readonly record struct SplitDecision(int RecomputeTokens, int HostTokens);
}
