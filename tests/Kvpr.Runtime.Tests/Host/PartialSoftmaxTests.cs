using System;
using Kvpr.Host;

namespace Kvpr.Runtime.Tests.Host;

public class PartialSoftmaxTests
{
    [Fact]
    public void Two_one_key_partials_merge_into_their_softmax()
    {
        // Scores 1 and 3 over values 10 and 20: weights e¹ and e³ normalised.
        var output = new float[1];

        PartialSoftmax.Merge(new[] { 10f }, 1, 1, new[] { 20f }, 3, 1, output);

        double first = Math.Exp(1), second = Math.Exp(3);
        output[0].ShouldBe((float)((10 * first + 20 * second) / (first + second)), 1e-5f);
    }

    [Fact]
    public void An_empty_partial_counts_for_nothing_and_two_give_zero()
    {
        var output = new float[2];

        PartialSoftmax.Merge(new[] { 0f, 0f }, float.NegativeInfinity, 0, new[] { 4f, 8f }, 7, 2, output);
        output.ShouldBe(new[] { 2f, 4f });

        PartialSoftmax.Merge(new[] { 4f, 8f }, -3, 4, new[] { float.NaN, 0f }, float.NegativeInfinity, 0, output);
        output.ShouldBe(new[] { 1f, 2f });

        PartialSoftmax.Merge(new[] { 0f, 0f }, float.NegativeInfinity, 0, new[] { 0f, 0f }, float.NegativeInfinity, 0, output);
        output.ShouldBe(new[] { 0f, 0f });
    }

    [Fact]
    public void Rows_of_different_sizes_are_refused()
    {
        var error = Should.Throw<ArgumentException>(() =>
            PartialSoftmax.Merge(new PartialSoftmaxRows(new float[6], new float[2], new float[2]), new PartialSoftmaxRows(new float[4], new float[2], new float[2]), new float[6]));

        error.Message.ShouldContain("2×3 and 2×2");
        Should.Throw<ArgumentException>(() => new PartialSoftmaxRows(new float[5], new float[2], new float[2])).ParamName.ShouldBe("acc");
    }
}
