namespace Kvpr.Planning
{
    /// <summary>
    /// What the runtime does at one decode step: recompute the first <see cref="RecomputeTokens"/> of <see cref="Length"/>
    /// stored tokens, let the CPU attend to the last <see cref="HostTokens"/>, transfer the K and V of the others, and how
    /// long that should take.
    /// </summary>
    public sealed record StepPlan(int Batch, int Length, int RecomputeTokens, StepTimes Times, int HostTokens = 0)
    {
        /// <summary>Tokens whose K and V cross the link.</summary>
        public int TransferredTokens => Shape.TransferredTokens;

        public StepShape Shape => new(Batch, Length, RecomputeTokens, HostTokens);
    }
}
