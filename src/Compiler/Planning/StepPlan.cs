namespace Kvpr.Planning
{
    /// <summary>What the runtime does at one decode step: recompute the first <see cref="RecomputeTokens"/> of <see cref="Length"/> stored tokens, and how long that should take.</summary>
    public sealed record StepPlan(int Batch, int Length, int RecomputeTokens, StepTimes Times)
    {
        public StepShape Shape => new(Batch, Length, RecomputeTokens);
    }
}
