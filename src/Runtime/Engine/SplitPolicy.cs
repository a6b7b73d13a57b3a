using System;
using System.Linq;
using Kvpr.Planning;

namespace Kvpr
{
    /// <summary>
    /// How many of the s' stored tokens (l) a layer recomputes from their activations at a decode step;
    /// the other s' − l have their K and V transferred. Any split gives the same tokens; it only moves work
    /// between the link and the compute units.
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
        public static SplitPolicy Auto { get; } = new AutoPolicy(null);

        /// <summary>Like <see cref="Auto"/>, planned for <paramref name="profile"/> instead of the default profile.</summary>
        public static SplitPolicy AutoFor(HardwareProfile profile) => new AutoPolicy(profile ?? throw new ArgumentNullException(nameof(profile)));

        /// <summary>l = round(<paramref name="fraction"/> · s').</summary>
        public static SplitPolicy Fraction(double fraction) => new FractionPolicy(fraction, $"fraction {fraction}");

        /// <summary>The splits (and KV residency) of a solved plan, looked up per step in its table.</summary>
        public static SplitPolicy FromPlan(DecodePlan plan) => new PlanPolicy(plan ?? throw new ArgumentNullException(nameof(plan)));

        /// <summary>l chosen by <paramref name="choose"/> for every step and layer (tests, experiments); must be in [0, s'].</summary>
        public static SplitPolicy Custom(Func<SplitRequest, int> choose) => new CustomPolicy(choose ?? throw new ArgumentNullException(nameof(choose)), null);

        /// <summary>
        /// l chosen by <paramref name="choose"/> and the tokens the CPU attends to (the last stored ones) by
        /// <paramref name="hostTokens"/>, for every step and layer (tests, experiments); together at most s'.
        /// </summary>
        public static SplitPolicy Custom(Func<SplitRequest, int> choose, Func<SplitRequest, int> hostTokens) =>
            new CustomPolicy(choose ?? throw new ArgumentNullException(nameof(choose)), hostTokens ?? throw new ArgumentNullException(nameof(hostTokens)));

        /// <summary>l for the request, in [0, request.Length].</summary>
        public int RecomputeTokens(SplitRequest request)
        {
            int tokens = Choose(request);
            if (tokens < 0 || tokens > request.Length)
                throw new InvalidOperationException($"Split policy {this} chose to recompute {tokens} tokens of layer {request.Layer} at step {request.Step}, outside [0, {request.Length}].");
            return tokens;
        }

        protected abstract int Choose(SplitRequest request);

        /// <summary>
        /// Tokens the CPU attends to for the request: the last of the s' stored tokens, read in place in the host store,
        /// in [0, s' − <paramref name="recomputeTokens"/>]; always 0 for a policy without CPU attention.
        /// </summary>
        public int HostTokens(SplitRequest request, int recomputeTokens)
        {
            int tokens = ChooseHostTokens(request);
            if (tokens < 0 || tokens > request.Length - recomputeTokens)
                throw new InvalidOperationException($"Split policy {this} gave the CPU {tokens} tokens of layer {request.Layer} at step {request.Step}, outside [0, {request.Length - recomputeTokens}] (s' = {request.Length}, l = {recomputeTokens}).");
            return tokens;
        }

        protected virtual int ChooseHostTokens(SplitRequest request) => 0;

        /// <summary>Whether any step may give the CPU a share, so the step graph needs its CPU lane.</summary>
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

            protected override int Choose(SplitRequest request) => (int)Math.Round(_fraction * request.Length, MidpointRounding.AwayFromZero);

            internal override bool RecomputesEverything => _fraction == 1;

            public override string ToString() => _name;
        }

        private sealed class PlanPolicy : SplitPolicy
        {
            public PlanPolicy(DecodePlan plan) => Plan = plan;

            public DecodePlan Plan { get; }

            protected override int Choose(SplitRequest request) => Plan.Table.Lookup(request.Batch, request.Length).RecomputeTokens;

            internal override bool RecomputesEverything => Plan.Table.Rows.All(row => row.RecomputeFraction >= 1);

            public override string ToString() => $"plan for {Plan.ModelName} on {Plan.ProfileName}";
        }

        private sealed class AutoPolicy : SplitPolicy
        {
            public AutoPolicy(HardwareProfile? profile) => Profile = profile;

            /// <summary>The profile to plan for; null for the default one.</summary>
            public HardwareProfile? Profile { get; }

            // The engine looks splits up in the plan PlanFor makes for each generation, never here.
            protected override int Choose(SplitRequest request) =>
                throw new InvalidOperationException("The automatic split is planned per generation; plan one and use SplitPolicy.FromPlan to look splits up directly.");

            public override string ToString() => Profile is null ? "auto" : $"auto for {Profile.Name}";
        }

        private sealed class CustomPolicy : SplitPolicy
        {
            private readonly Func<SplitRequest, int> _choose;
            private readonly Func<SplitRequest, int>? _hostTokens;

            public CustomPolicy(Func<SplitRequest, int> choose, Func<SplitRequest, int>? hostTokens)
            {
                _choose = choose;
                _hostTokens = hostTokens;
            }

            protected override int Choose(SplitRequest request) => _choose(request);

            protected override int ChooseHostTokens(SplitRequest request) => _hostTokens?.Invoke(request) ?? 0;

            internal override bool UsesHostAttention => _hostTokens is not null;

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
                AutoPolicy auto => DecodePlanner.Plan(spec, auto.Profile ?? HardwareProfiles.Default, workload).GetPlanOrThrow(),
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
