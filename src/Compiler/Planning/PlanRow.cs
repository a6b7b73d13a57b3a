using System;

namespace Kvpr.Planning
{
    /// <summary>
    /// One bucket of the plan table: for batches up to <see cref="Batch"/> and stored lengths
    /// <see cref="FromLength"/>..<see cref="ToLength"/> (inclusive), recompute l = round(fraction · s') tokens and let
    /// the CPU attend to ⌊host fraction · s'⌋ of the others. The fractions are fixed within the bucket, so bytes and FLOPs
    /// are affine in s' and the step times are interpolated between those predicted at the bucket's two ends.
    /// </summary>
    /// <param name="HostFraction">The CPU's share of the stored tokens (CPU attention); 0 where it gets none.</param>
    public sealed record PlanRow(int Batch, int FromLength, int ToLength, double RecomputeFraction, StepTimes AtFrom, StepTimes AtTo,
        double HostFraction = 0)
    {
        public bool Contains(int length) => length >= FromLength && length <= ToLength;

        /// <summary>l for <paramref name="length"/> stored tokens, in [0, length − the CPU's tokens].</summary>
        public int RecomputeTokensAt(int length) => TokensAt(RecomputeFraction, HostFraction, length).Recompute;

        /// <summary>Tokens the CPU attends to at <paramref name="length"/> stored tokens: ⌊host fraction · s'⌋.</summary>
        public int HostTokensAt(int length) => TokensAt(RecomputeFraction, HostFraction, length).Host;

        /// <summary>
        /// l and the CPU's tokens at <paramref name="length"/>: the CPU's ⌊<paramref name="hostFraction"/> · s'⌋ first (a fixed share
        /// stays exact), then l = round(<paramref name="recomputeFraction"/> · s') within what they leave.
        /// </summary>
        public static (int Recompute, int Host) TokensAt(double recomputeFraction, double hostFraction, int length)
        {
            int host = CpuAttentionMode.TokensOf(hostFraction, length);
            return (Math.Min(RecomputeTokens(recomputeFraction, length), length - host), host);
        }

        /// <summary>l = round(<paramref name="fraction"/> · <paramref name="length"/>), halves away from zero, in [0, length].</summary>
        public static int RecomputeTokens(double fraction, int length)
        {
            int tokens = (int)Math.Round(fraction * length, MidpointRounding.AwayFromZero);
            return Math.Max(0, Math.Min(length, tokens));
        }

        /// <summary>Step times at <paramref name="length"/>, interpolated inside the bucket and held at its ends outside.</summary>
        public StepTimes TimesAt(int length)
        {
            if (ToLength == FromLength)
                return AtFrom;
            double t = (length - FromLength) / (double)(ToLength - FromLength);
            return StepTimes.Interpolate(AtFrom, AtTo, Math.Max(0, Math.Min(1, t)));
        }
    }
}
