using System;
using Kvpr.Host;

namespace Kvpr.Runtime.Tests.Host;

/// <summary>The log-sum-exp combine against closed forms: softmax weights of one-key partials, and empty partials.</summary>
public class AttentionPartialsTests
{
    private static AttentionPartials One(float[] acc, float max, float sum) => new(1, acc, new[] { max }, new[] { sum });

    [Fact]
    public void One_key_partials_combine_into_their_softmax()
    {
        // Scores 1, 3 and 2 over values 10, 20 and 30: weights e¹, e³ and e² normalised.
        var output = new float[1];

        AttentionPartials.Combine(1, 1, output, One(new[] { 10f }, 1, 1), One(new[] { 20f }, 3, 1), One(new[] { 30f }, 2, 1));

        double first = Math.Exp(1), second = Math.Exp(3), third = Math.Exp(2);
        output[0].ShouldBe((float)((10 * first + 20 * second + 30 * third) / (first + second + third)), 1e-5f);
    }

    [Fact]
    public void An_empty_partial_counts_for_nothing_and_only_empty_ones_give_zero()
    {
        var output = new float[2];

        AttentionPartials.Combine(1, 2, output, One(new[] { 0f, 0f }, float.NegativeInfinity, 0), One(new[] { 4f, 8f }, 7, 2));
        output.ShouldBe(new[] { 2f, 4f });

        AttentionPartials.Combine(1, 2, output, One(new[] { 4f, 8f }, -3, 4), One(new[] { float.NaN, 0f }, float.NegativeInfinity, 0));
        output.ShouldBe(new[] { 1f, 2f });

        AttentionPartials.Combine(1, 2, output, One(new[] { 0f, 0f }, float.NegativeInfinity, 0), One(new[] { 0f, 0f }, float.NegativeInfinity, 0));
        output.ShouldBe(new[] { 0f, 0f });
    }

    [Fact]
    public void Arrays_of_mismatched_sizes_are_refused()
    {
        Should.Throw<ArgumentException>(() => new AttentionPartials(1, new float[5], new float[2], new float[2])).ParamName.ShouldBe("acc");
        Should.Throw<ArgumentException>(() => new AttentionPartials(1, new float[4], new float[2], new float[3])).ParamName.ShouldBe("acc");
    }
}
