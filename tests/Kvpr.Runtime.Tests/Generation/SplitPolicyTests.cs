using System;
using Kvpr.Planning;

namespace Kvpr.Runtime.Tests.Generation;

public class SplitPolicyTests
{
    private static readonly SplitRequest Request = new(Step: 3, Layer: 1, Batch: 2, Length: 10);

    [Theory]
    [InlineData(0.0, 0)]
    [InlineData(0.25, 3)]
    [InlineData(0.5, 5)]
    [InlineData(1.0, 10)]
    public void A_fraction_rounds_half_away_from_zero(double fraction, int expected)
    {
        SplitPolicy.Fraction(fraction).RecomputeTokens(Request).ShouldBe(expected);
    }

    [Fact]
    public void None_and_all_are_the_ends()
    {
        SplitPolicy.None.RecomputeTokens(Request).ShouldBe(0);
        SplitPolicy.All.RecomputeTokens(Request).ShouldBe(10);
    }

    [Fact]
    public void Choices_outside_the_stored_tokens_are_refused()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => SplitPolicy.Fraction(1.5));
        var error = Should.Throw<InvalidOperationException>(() => SplitPolicy.Custom(_ => 11).RecomputeTokens(Request));
        error.Message.ShouldContain("layer 1 at step 3");
        error.Message.ShouldContain("[0, 10]");
    }

    [Fact]
    public void Three_way_decisions_give_the_cpu_at_most_what_the_recomputed_tokens_leave()
    {
        SplitPolicy.Custom(_ => new SplitDecision(4, 6)).Decide(Request).ShouldBe(new SplitDecision(4, 6));
        SplitPolicy.Custom(_ => 4).Decide(Request).ShouldBe(new SplitDecision(4, 0));
        var error = Should.Throw<InvalidOperationException>(() => SplitPolicy.Custom(_ => new SplitDecision(4, 7)).Decide(Request));
        error.Message.ShouldContain("gave the CPU 7 tokens of layer 1 at step 3");
        error.Message.ShouldContain("[0, 6]");
    }

    [Fact]
    public void A_plans_policy_looks_up_the_cpus_share_with_l()
    {
        var spec = ModelCatalog.Get("opt-6.7b");
        var profile = HardwareProfiles.Default with { Name = "h100-host", HostMemoryReadBytesPerSecond = 150e9, HostAttentionBytesPerSecond = 105e9 };
        var plan = DecodePlanner.Plan(spec, profile, new DecodeWorkload { Batch = 32, PromptLength = 1024, MaxNewTokens = 4 },
            PlannerOptions.Default with { FixedResidency = Residency.WeightsOnly(spec), CpuAttention = CpuAttentionMode.Share(0.5) }).GetPlanOrThrow();
        var step = plan.Table.Lookup(32, 1025);

        SplitPolicy.FromPlan(plan).Decide(new SplitRequest(2, 5, 32, 1025)).ShouldBe(new SplitDecision(step.RecomputeTokens, 512));
    }

    [Fact]
    public void A_plan_for_another_model_is_refused()
    {
        var other = ModelSpec.Opt("other", hidden: 16, layers: 2, heads: 2, ffnHidden: 32, vocab: 20, maxPositions: 16);
        var plan = DecodePlanner.Plan(other, HardwareProfiles.Default, new DecodeWorkload { Batch = 1, PromptLength = 4, MaxNewTokens = 4 }).GetPlanOrThrow();
        using var engine = new Engine(RandomWeights.Create(other with { Name = "mine" }, seed: 1), new EngineOptions { Split = SplitPolicy.FromPlan(plan) });

        Should.Throw<ArgumentException>(() => engine.Generate(new[] { new[] { 1, 2, 3, 4 } }, new GenerationOptions { MaxNewTokens = 2 }))
            .Message.ShouldContain("'other'");
    }
}
