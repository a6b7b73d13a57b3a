namespace Kvpr.Planning
{
    /// <summary>
    /// Predicted milliseconds of one decode step of the whole micro-batch group, next to the two floors:
    /// moving every layer's KV (nothing recomputed) and moving every layer's activations (recompute for free).
    /// </summary>
    public sealed record StepTimes(double PredictedMs, double FloorAllKvMs, double FloorAllRecomputeMs)
    {
        /// <summary>The point a fraction <paramref name="t"/> of the way from <paramref name="from"/> to <paramref name="to"/>.</summary>
        public static StepTimes Interpolate(StepTimes from, StepTimes to, double t) => new(
            from.PredictedMs + t * (to.PredictedMs - from.PredictedMs),
            from.FloorAllKvMs + t * (to.FloorAllKvMs - from.FloorAllKvMs),
            from.FloorAllRecomputeMs + t * (to.FloorAllRecomputeMs - from.FloorAllRecomputeMs));
    }
}
