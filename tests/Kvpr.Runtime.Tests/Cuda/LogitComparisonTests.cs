using Kvpr.Runtime.Cuda.Selftest;

namespace Kvpr.Runtime.Tests.Cuda;

public sealed class LogitComparisonTests
{
    private static readonly float[] Clear = { 0f, 1f, 3f }; // top two 1 apart
    private static readonly float[] Close = { 0f, 2.99f, 3f }; // top two 0.01 apart

    [Fact]
    public void Differences_are_the_worst_absolute_and_the_worst_row_norm_ratio()
    {
        var comparison = new LogitComparison(margin: 0.1);

        comparison.AddLogits(3, new[] { new[] { 0f, 1f, 3.5f }, new[] { 3f, 4f, 0f } }, new[] { Clear, new[] { 3f, 4f, 0f } });

        comparison.Rows.ShouldBe(2);
        comparison.WorstAbsolute.ShouldBe(0.5, 1e-6);
        comparison.WorstRelative.ShouldBe(0.5 / System.Math.Sqrt(10), 1e-6);
        comparison.WorstAt.ShouldBe("sequence 3, prefill position 0, logit 2");
    }

    [Fact]
    public void A_token_that_differs_on_a_close_call_is_forgiven_and_ends_the_comparison()
    {
        var comparison = new LogitComparison(margin: 0.1);

        comparison.AddGenerated(0, new[] { 2, 1, 0 }, new[] { Clear, Close, Clear }, new[] { 2, 2, 2 }, new[] { Clear, Close, new[] { 9f, 0f, 0f } });

        comparison.Tokens.ShouldBe(2);
        comparison.MatchingTokens.ShouldBe(1);
        comparison.ClearMismatches.ShouldBe(0);
        comparison.Rows.ShouldBe(2);
    }

    [Fact]
    public void A_token_that_differs_where_the_reference_was_clear_is_a_mismatch()
    {
        var comparison = new LogitComparison(margin: 0.1);

        comparison.AddGenerated(0, new[] { 1 }, new[] { Clear }, new[] { 2 }, new[] { Clear });

        comparison.ClearMismatches.ShouldBe(1);
    }

    [Fact]
    public void A_nan_logit_is_an_infinite_difference()
    {
        var comparison = new LogitComparison(margin: 0.1);

        comparison.AddLogits(0, new[] { new[] { 0f, float.NaN, 3f } }, new[] { Clear });

        comparison.WorstAbsolute.ShouldBe(double.PositiveInfinity);
    }
}
