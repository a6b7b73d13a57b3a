using System;
using System.Linq;
using Kvpr.Sampling;

namespace Kvpr.Runtime.Tests.Sampling;

public class SamplingTests
{
    [Fact]
    public void Argmax_takes_the_lowest_id_among_equal_maxima()
    {
        TokenDistribution.ArgMax(new[] { 1f, 3f, 3f, 2f }).ShouldBe(1);
        TokenDistribution.ArgMax(new[] { float.NegativeInfinity, -5f, -5f }).ShouldBe(1);
        Should.Throw<ArgumentException>(() => TokenDistribution.ArgMax(new[] { 1f, float.NaN })).Message.ShouldContain("NaN");
    }

    [Fact]
    public void Temperature_scales_the_logits_before_the_softmax()
    {
        // softmax([0, ln 2] / 0.5) = softmax([0, ln 4]) = [1/5, 4/5].
        Distribution(new[] { 0f, MathF.Log(2) }, new SamplingOptions { Temperature = 0.5 }).ShouldBe(new[] { 0.2, 0.8 }, 1e-6);
    }

    [Fact]
    public void Top_k_keeps_the_k_largest_logits_renormalised()
    {
        double e3 = Math.Exp(3), e4 = Math.Exp(4);
        Distribution(new[] { 1f, 2f, 4f, 3f }, new SamplingOptions { Temperature = 1, TopK = 2 })
            .ShouldBe(new[] { 0, 0, e4 / (e3 + e4), e3 / (e3 + e4) }, 1e-12);
    }

    [Theory]
    [InlineData(0.45, new[] { 0.0, 1.0, 0.0, 0.0 })]
    [InlineData(0.6, new[] { 1 / 3.0, 2 / 3.0, 0.0, 0.0 })]
    // 0.5 + 0.25 < 0.8, so one of the tied 0.125s joins: the lower id.
    [InlineData(0.8, new[] { 2 / 7.0, 4 / 7.0, 1 / 7.0, 0.0 })]
    [InlineData(1.0, new[] { 0.25, 0.5, 0.125, 0.125 })]
    public void Top_p_keeps_the_smallest_most_likely_set_reaching_p(double topP, double[] expected)
    {
        var logits = new[] { 0.25f, 0.5f, 0.125f, 0.125f }.Select(p => MathF.Log(p)).ToArray();
        Distribution(logits, new SamplingOptions { Temperature = 1, TopP = topP }).ShouldBe(expected, 1e-6);
    }

    [Fact]
    public void Top_k_applies_before_top_p()
    {
        // Top-2 of [0.4, 0.3, 0.2, 0.1] renormalises to [4/7, 3/7]; p = 0.5 then keeps the first only.
        var logits = new[] { 0.4f, 0.3f, 0.2f, 0.1f }.Select(p => MathF.Log(p)).ToArray();
        Distribution(logits, new SamplingOptions { Temperature = 1, TopK = 2, TopP = 0.5 }).ShouldBe(new[] { 1.0, 0, 0, 0 }, 1e-12);
        Distribution(logits, new SamplingOptions { Temperature = 1, TopK = 2, TopP = 0.6 }).ShouldBe(new[] { 4 / 7.0, 3 / 7.0, 0, 0 }, 1e-6);
    }

    [Fact]
    public void Top_k_of_one_always_picks_the_argmax()
    {
        var random = new Random(5);
        var sampler = new Sampler(new SamplingOptions { Temperature = 2, TopK = 1, Seed = 3 }, sequences: 1);
        for (int row = 0; row < 200; row++)
        {
            // Coarse values make ties frequent.
            var logits = Enumerable.Range(0, 50).Select(_ => (float)random.Next(-4, 5)).ToArray();
            sampler.Next(0, logits).ShouldBe(TokenDistribution.ArgMax(logits));
        }
    }

    [Fact]
    public void Greedy_options_pick_the_argmax()
    {
        var sampler = new Sampler(SamplingOptions.Greedy, sequences: 2);
        sampler.Next(1, new[] { 0.5f, 2f, 2f, -1f }).ShouldBe(1);
    }

    [Fact]
    public void Draw_frequencies_match_the_softmax_probabilities()
    {
        var probabilities = new[] { 0.1, 0.2, 0.3, 0.4 };
        var logits = probabilities.Select(p => (float)Math.Log(p) + 7).ToArray();
        var sampler = new Sampler(new SamplingOptions { Temperature = 1, Seed = 42 }, sequences: 1);
        const int Draws = 40_000;
        var counts = new int[4];
        for (int i = 0; i < Draws; i++)
            counts[sampler.Next(0, logits)]++;

        for (int token = 0; token < 4; token++)
        {
            double p = probabilities[token];
            double standardError = Math.Sqrt(p * (1 - p) / Draws);
            ((double)counts[token] / Draws).ShouldBe(p, 5 * standardError, $"token {token}");
        }
    }

    [Fact]
    public void Draw_walks_the_cumulative_distribution()
    {
        var probabilities = new[] { 0.2, 0, 0.8 };
        TokenDistribution.Draw(probabilities, 0.0).ShouldBe(0);
        TokenDistribution.Draw(probabilities, 0.19).ShouldBe(0);
        TokenDistribution.Draw(probabilities, 0.2).ShouldBe(2);
        TokenDistribution.Draw(probabilities, 0.9999999999).ShouldBe(2);
    }

    [Fact]
    public void Each_sequence_has_its_own_reproducible_stream()
    {
        var logits = Enumerable.Range(0, 64).Select(i => (float)Math.Sin(i)).ToArray();
        var options = new SamplingOptions { Temperature = 1.5, TopP = 0.95, Seed = 7 };
        int[] Tokens(Sampler sampler, int sequence) => Enumerable.Range(0, 40).Select(_ => sampler.Next(sequence, logits)).ToArray();

        var wide = new Sampler(options, sequences: 4);
        var first = Tokens(wide, 2);
        Tokens(new Sampler(options, sequences: 3), 2).ShouldBe(first);
        Tokens(new Sampler(options, sequences: 3), 1).ShouldNotBe(first);
        Tokens(new Sampler(options with { Seed = 8 }, sequences: 3), 2).ShouldNotBe(first);
    }

    [Theory]
    [InlineData(-0.5, 0, 1.0, "Temperature")]
    [InlineData(double.NaN, 0, 1.0, "Temperature")]
    [InlineData(1.0, -1, 1.0, "TopK")]
    [InlineData(1.0, 0, 0.0, "TopP")]
    [InlineData(1.0, 0, 1.5, "TopP")]
    public void Invalid_options_are_refused_by_field(double temperature, int topK, double topP, string field)
    {
        var options = new SamplingOptions { Temperature = temperature, TopK = topK, TopP = topP };
        options.Validate().ShouldHaveSingleItem().Field.ShouldBe(field);
        Should.Throw<ArgumentException>(() => new Sampler(options, 1)).Message.ShouldContain(field);
    }

    private static double[] Distribution(float[] logits, SamplingOptions options)
    {
        var probabilities = new double[logits.Length];
        TokenDistribution.Compute(logits, options, probabilities, new ulong[logits.Length]);
        return probabilities;
    }
}
