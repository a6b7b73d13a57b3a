using System.CommandLine;
using Kvpr.Planning;

namespace Kvpr.Cli
{
    /// <summary>
    /// <c>--cpu-attention off|auto|&lt;fraction&gt;</c> of <c>plan</c>, <c>run</c> and <c>bench</c>: the CPU's share of each offloaded
    /// layer's stored tokens. Left out it is off (on every GPU box measured so far a CPU share made decode steps slower); auto
    /// or a fraction where the profile or the model cannot have it is refused with the reason.
    /// </summary>
    internal static class CpuAttentionOption
    {
        public const string Name = "--cpu-attention";

        public static Option<CpuAttentionMode?> Create() => new(Name)
        {
            Description = "The CPU's share of each offloaded layer's stored tokens, attended to in host memory: off (the default), auto (the planner chooses; " +
                "needs a profile with hostMemoryReadGBps and hostAttentionGBps) or a fraction in [0, 1] (the planner splits the rest between recompute and transfer).",
            HelpName = "off|auto|fraction",
            CustomParser = result =>
            {
                string text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
                if (CpuAttentionMode.TryParse(text, out var mode))
                    return mode;
                result.AddError($"{Name} must be off, auto or a fraction in [0, 1], but is '{text}'.");
                return null;
            },
        };

        /// <summary>The mode to plan with: <paramref name="given"/>, or off when left out.</summary>
        /// <exception cref="UsageException">A mode other than off was asked for where the profile or the model cannot have CPU attention.</exception>
        public static CpuAttentionMode Resolve(CpuAttentionMode? given, ModelSpec spec, HardwareProfile profile)
        {
            if (given is null)
                return CpuAttentionMode.Off;
            if (given.MayUseCpu && CpuAttentionMode.Unavailability(spec, profile) is { } reason)
                throw new UsageException($"{Name} {given} is not possible: {reason}.");
            return given;
        }
    }
}
