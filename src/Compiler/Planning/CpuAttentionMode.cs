using System;
using System.Globalization;

namespace Kvpr.Planning
{
    /// <summary>
    /// Whether and how much of each offloaded layer's stored tokens the CPU attends to, reading K and V in place in the
    /// host store (<see cref="StepShape.HostTokens"/>): off, chosen by the planner, or a fixed fraction of s' (rounded down
    /// to whole tokens), as <c>--cpu-attention off|auto|&lt;fraction&gt;</c> writes it.
    /// </summary>
    public sealed record CpuAttentionMode
    {
        private CpuAttentionMode(CpuAttentionKind kind, double fraction)
        {
            Kind = kind;
            Fraction = fraction;
        }

        public CpuAttentionKind Kind { get; }

        /// <summary>The CPU's share of the stored tokens under <see cref="CpuAttentionKind.Fraction"/>; 0 otherwise.</summary>
        public double Fraction { get; }

        public static CpuAttentionMode Off { get; } = new(CpuAttentionKind.Off, 0);

        public static CpuAttentionMode Auto { get; } = new(CpuAttentionKind.Auto, 0);

        /// <summary>The CPU attends to ⌊<paramref name="fraction"/> · s'⌋ of the s' stored tokens of every offloaded layer.</summary>
        public static CpuAttentionMode Share(double fraction) => fraction >= 0 && fraction <= 1
            ? new(CpuAttentionKind.Fraction, fraction)
            : throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "The CPU's share of the stored tokens must be in [0, 1].");

        /// <summary>Whether the CPU may get tokens at all: anything but off and a share of 0.</summary>
        public bool MayUseCpu => Kind == CpuAttentionKind.Auto || Fraction > 0;

        /// <summary>
        /// ⌊<paramref name="fraction"/> · <paramref name="length"/>⌋ tokens, in [0, length]. A share stored as tokens / s' gives
        /// those tokens back at s' although the product may fall a rounding error short of them.
        /// </summary>
        public static int TokensOf(double fraction, int length)
        {
            int tokens = (int)Math.Floor(fraction * length + RoundOffTokens);
            return Math.Max(0, Math.Min(length, tokens));
        }

        private const double RoundOffTokens = 1e-9;

        /// <summary>Reads off, auto or a fraction in [0, 1] (invariant culture); false for anything else.</summary>
        public static bool TryParse(string? text, out CpuAttentionMode mode)
        {
            mode = text switch
            {
                "off" => Off,
                "auto" => Auto,
                _ when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double fraction) && fraction >= 0 && fraction <= 1 => Share(fraction),
                _ => null!,
            };
            return mode is not null;
        }

        /// <summary>
        /// Why the CPU cannot attend to <paramref name="spec"/>'s tokens on <paramref name="profile"/>, or null when it can:
        /// the profile must have measured the host's side, and a sliding window would leave the CPU's tokens partly unseen.
        /// </summary>
        public static string? Unavailability(ModelSpec spec, HardwareProfile profile)
        {
            if (spec is null) throw new ArgumentNullException(nameof(spec));
            if (profile is null) throw new ArgumentNullException(nameof(profile));
            if (!profile.MeasuresHostAttention)
                return $"hardware profile '{profile.Name}' has not measured the host's memory read bandwidth and CPU attention rate " +
                    "(hostMemoryReadGBps, hostAttentionGBps); measure the machine again with kvpr profile";
            if (spec.SlidingWindow != 0)
                return $"model '{spec.Name}' attends through a sliding window of {spec.SlidingWindow} tokens, which CPU attention does not support";
            return null;
        }

        public override string ToString() => Kind switch
        {
            CpuAttentionKind.Off => "off",
            CpuAttentionKind.Auto => "auto",
            _ => Fraction.ToString(CultureInfo.InvariantCulture),
        };
    }
}
