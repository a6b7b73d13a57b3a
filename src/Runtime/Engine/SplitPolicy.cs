using System;
using System.Linq;
using Kvpr.Planning;

namespace Kvpr
{
    /// <summary>
    /// How many of the s' stored tokens (l) a layer recomputes from their activations at a decode step, and how many
    /// of the last ones the CPU attends to in the host store (a plan's CPU attention; none for the other policies);
    /// the others have their K and V transferred. Any split gives the same tokens; it only moves work between the
    /// link, the GPU and the CPU.
    /// </summary>
    public abstract class SplitPolicy
    {
        /// <summary>Transfer all KV (l = 0).</summary>
        public static SplitPolicy None { get; } = new FractionPolicy(0, "none");

        /// <summary>Recompute every stored token (l = s').</summary>
        public static SplitPolicy All { get; } = new FractionPolicy(1, "all");

        /// <summary>
        /// Plan the split for each generation from the model, the default hardware profile and the
        /// generation's own workload (batch, prompt length, new tokens); the plan may also keep some layers'
        /// KV on the device.
        /// </summary>
        public static SplitPolicy Auto { get; } = new AutoPolicy(null, CpuAttentionMode.Off);

        /// <summary>Like <see cref="Auto"/>, planned for <paramref name="profile"/> instead of the default profile.</summary>
        public static SplitPolicy AutoFor(HardwareProfile profile) => AutoFor(profile, CpuAttentionMode.Off);

        /// <summary>Like <see cref="AutoFor(HardwareProfile)"/>, giving the CPU the share <paramref name="cpuAttention"/> asks for.</summary>
        public static SplitPolicy AutoFor(HardwareProfile profile, CpuAttentionMode cpuAttention) =>
            new AutoPolicy(profile ?? throw new ArgumentNullException(nameof(profile)), cpuAttention ?? throw new ArgumentNullException(nameof(cpuAttention)));

        /// <summary>l = round(<paramref name="fraction"/> · s').</summary>
        public static SplitPolicy Fraction(double fraction) => new FractionPolicy(fraction, $"fraction {fraction}");

        /// <summary>The splits (and KV residency) of a solved plan, looked up per step in its table.</summary>
        public static SplitPolicy FromPlan(DecodePlan plan) => new PlanPolicy(plan ?? throw new ArgumentNullException(nameof(plan)));

        /// <summary>l chosen by <paramref name="choose"/> for every step and layer (tests, experiments); must be in [0, s'].</summary>
        public static SplitPolicy Custom(Func<SplitRequest, int> choose)
        {
            if (choose is null) throw new ArgumentNullException(nameof(choose));
            return new CustomPolicy(request => new SplitDecision(choose(request), 0), usesHostAttention: false);
        }

        /// <summary>
        /// Three-way splits chosen by <paramref name="decide"/> for every step and layer (tests, experiments): l in [0, s'] and
        /// the CPU's tokens in [0, s' − l].
        /// </summary>
        public static SplitPolicy Custom(Func<SplitRequest, SplitDecision> decide) =>
            new CustomPolicy(decide ?? throw new ArgumentNullException(nameof(decide)), usesHostAttention: true);

        /// <summary>l for the request, in [0, request.Length].</summary>
        public int RecomputeTokens(SplitRequest request) => Decide(request).RecomputeTokens;

        /// <summary>l and the CPU's tokens for the request: l in [0, request.Length], the CPU's in [0, request.Length − l].</summary>
        public SplitDecision Decide(SplitRequest request)
        {
            var decision = Choose(request);
            if (decision.RecomputeTokens < 0 || decision.RecomputeTokens > request.Length)
                throw new InvalidOperationException($"Split policy {this} chose to recompute {decision.RecomputeTokens} tokens of layer {request.Layer} at step {request.Step}, outside [0, {request.Length}].");
            int left = request.Length - decision.RecomputeTokens;
            if (decision.HostTokens < 0 || decision.HostTokens > left)
                throw new InvalidOperationException($"Split policy {this} gave the CPU {decision.HostTokens} tokens of layer {request.Layer} at step {request.Step}, outside [0, {left}] (the tokens l = {decision.RecomputeTokens} leaves).");
            return decision;
        }

        /// <summary>The split for the request, unchecked (<see cref="Decide"/> checks it); policies without CPU attention give the CPU nothing.</summary>
        protected abstract SplitDecision Choose(SplitRequest request);

        /// <summary>Whether some step may give the CPU tokens, so the graph needs its CPU lane and the host query and partial buffers.</summary>
        internal virtual bool UsesHostAttention => false;

        /// <summary>Whether every step recomputes every stored token, so the host store need keep no K and V.</summary>
        internal virtual bool RecomputesEverything => false;

        private sealed class FractionPolicy : SplitPolicy
        {
            private readonly double _fraction;
            private readonly string _name;

            public FractionPolicy(double fraction, string name)
            {
                if (!(fraction >= 0 && fraction <= 1))
                    throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "The recomputed fraction must be in [0, 1].");
                _fraction = fraction;
                _name = name;
            }

            protected override SplitDecision Choose(SplitRequest request) => new((int)Math.Round(_fraction * request.Length, MidpointRounding.AwayFromZero), 0);

            internal override bool RecomputesEverything => _fraction == 1;

            public override string ToString() => _name;
        }

        private sealed class PlanPolicy : SplitPolicy
        {
            public PlanPolicy(DecodePlan plan) => Plan = plan;

            public DecodePlan Plan { get; }

            protected override SplitDecision Choose(SplitRequest request)
            {
                var step = Plan.Table.Lookup(request.Batch, request.Length);
                return new SplitDecision(step.RecomputeTokens, step.HostTokens);
            }

            internal override bool RecomputesEverything => !Plan.Table.ReadsStoredKv;

            internal override bool UsesHostAttention => Plan.Table.UsesHostAttention;

            public override string ToString() => $"plan for {Plan.ModelName} on {Plan.ProfileName}";
        }

        private sealed class AutoPolicy : SplitPolicy
        {
            public AutoPolicy(HardwareProfile? profile, CpuAttentionMode cpuAttention)
            {
                Profile = profile;
                CpuAttention = cpuAttention;
            }

            /// <summary>The profile to plan for; null for the default one.</summary>
            public HardwareProfile? Profile { get; }

            public CpuAttentionMode CpuAttention { get; }

            // The engine looks splits up in the plan PlanFor makes for each generation, never here.
            protected override SplitDecision Choose(SplitRequest request) =>
                throw new InvalidOperationException("The automatic split is planned per generation; plan one and use SplitPolicy.FromPlan to look splits up directly.");

            public override string ToString() => Profile is null ? "auto" : $"auto for {Profile.Name}";
        }

        private sealed class CustomPolicy : SplitPolicy
        {
            private readonly Func<SplitRequest, SplitDecision> _decide;
            private readonly bool _usesHostAttention;

            public CustomPolicy(Func<SplitRequest, SplitDecision> decide, bool usesHostAttention)
            {
                _decide = decide;
                _usesHostAttention = usesHostAttention;
            }

            protected override SplitDecision Choose(SplitRequest request) => _decide(request);

            // Three-way decisions may give the CPU tokens at any step; l-only ones never do.
            internal override bool UsesHostAttention => _usesHostAttention;

            public override string ToString() => "custom";
        }

        /// <summary>
        /// The plan a generation of <paramref name="workload"/> follows: <see cref="Auto"/> plans one for it on its
        /// profile, whose residency (KV and weights) runs as planned, a plan's policy has its plan, and a fixed split
        /// has none (it keeps every layer's weights on the device and its KV on the host).
        /// </summary>
        internal DecodePlan? PlanFor(ModelSpec spec, DecodeWorkload workload)
        {
            var plan = this switch
            {
                AutoPolicy auto => DecodePlanner.Plan(spec, auto.Profile ?? HardwareProfiles.Default, workload,
                    PlannerOptions.Default with { CpuAttention = auto.CpuAttention }).GetPlanOrThrow(),
                PlanPolicy planned => planned.Plan,
                _ => null,
            };
            if (plan is not null && (plan.ModelName != spec.Name || plan.Residency.KvResidentLayers > spec.Layers || plan.Residency.WeightResidentLayers > spec.Layers))
                throw new ArgumentException($"The plan was made for model '{plan.ModelName}' ({plan.Residency.KvResidentLayers} KV-resident, {plan.Residency.WeightResidentLayers} weight-resident layers), not for '{spec.Name}' with {spec.Layers} layers.");
            return plan;
        }

        /// <summary>Whether this policy looks its splits up in <paramref name="plan"/>.</summary>
        internal bool Follows(DecodePlan plan) => this is PlanPolicy planned && planned.Plan.Equals(plan);
    }
}
