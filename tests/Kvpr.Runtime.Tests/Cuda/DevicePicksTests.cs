using System;
using Kvpr.Runtime.Cuda.Selftest;

namespace Kvpr.Runtime.Tests.Cuda;

/// <summary>The GPU's greedy picks against the host's: equal, a near-tie within the tolerance, or a clear difference.</summary>
public sealed class DevicePicksTests
{
    // Host logits of one sequence's three steps: token 2 best by 1, tokens 1 and 2 within 0.01, token 0 best by 2.
    private static readonly float[][] Steps = { new[] { 0f, 1f, 2f }, new[] { 0f, 2.99f, 3f }, new[] { 3f, 1f, 0f } };

    private static GenerationResult Run(params int[] tokens) => new(new[] { tokens }, Array.Empty<StepStatistics>(),
        new CapturedLogits(new[] { Array.Empty<float[]>() }, new[] { Steps }));

    [Fact]
    public void Equal_picks_agree_token_for_token()
    {
        var picks = DevicePicks.Compare(Run(2, 2, 0), Run(2, 2, 0), tolerance: 0.05);

        picks.Agree.ShouldBeTrue();
        picks.ToString().ShouldBe("3/3 tokens as picked on the host");
    }

    [Fact]
    public void A_near_tie_is_no_disagreement_and_ends_the_sequences_comparison()
    {
        var picks = DevicePicks.Compare(Run(2, 2, 0), Run(2, 1, 1), tolerance: 0.05);

        picks.Agree.ShouldBeTrue();
        (picks.Same, picks.Compared, picks.NearTies).ShouldBe((1, 1, 1));
        picks.ToString().ShouldContain("1 near-tie(s)");
    }

    [Fact]
    public void A_clear_difference_fails_even_after_agreeing_tokens()
    {
        DevicePicks.Compare(Run(2, 2, 0), Run(2, 2, 1), tolerance: 0.05).Agree.ShouldBeFalse();
        DevicePicks.Compare(Run(2, 2, 0), Run(1, 2, 0), tolerance: 0.05).Agree.ShouldBeFalse();
    }

    [Fact]
    public void A_sequence_the_device_ended_early_disagrees()
    {
        var picks = DevicePicks.Compare(Run(2, 2, 0), Run(2, 2), tolerance: 0.05);

        picks.Agree.ShouldBeFalse();
        (picks.Same, picks.Compared).ShouldBe((2, 3));
    }
}
