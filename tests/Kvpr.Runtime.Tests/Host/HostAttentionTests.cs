using System;
using Kvpr.Host;

namespace Kvpr.Runtime.Tests.Host;

public class HostAttentionTests
{
    // The kernel accumulates in fp32 (ε = 6e-8) what the reference sums in float64. A score is a dot product of ≤ 256
    // terms below 6/√d · 1 each: its rounding error stays below ~1e-5, which the exponentials carry into every weight
    // as a relative error of the same size; sums over ≤ 300 tokens add a few ε per term. 1e-4 leaves a margin of ~10.
    private const double Tolerance = 1e-4;

    [Theory]
    [InlineData(32, 4, 4, HostElementType.Float32, 1, 0, 37)]
    [InlineData(64, 8, 8, HostElementType.Float16, 5, 0, 200)]
    [InlineData(80, 4, 2, HostElementType.BFloat16, 1, 3, 150)]
    [InlineData(96, 6, 1, HostElementType.Float16, 5, 10, 300)]
    [InlineData(128, 32, 8, HostElementType.Float16, 1, 5, 133)]
    [InlineData(128, 32, 8, HostElementType.BFloat16, 5, 0, 70)]
    [InlineData(128, 8, 1, HostElementType.Float32, 5, 2, 130)]
    [InlineData(256, 4, 4, HostElementType.BFloat16, 1, 0, 65)]
    [InlineData(256, 4, 1, HostElementType.Float16, 5, 7, 8)]
    [InlineData(64, 4, 4, HostElementType.Float32, 5, 9, 10)]
    [InlineData(37, 3, 3, HostElementType.Float16, 2, 1, 6)]
    [InlineData(20, 2, 2, HostElementType.BFloat16, 3, 0, 41)]
    [InlineData(44, 4, 2, HostElementType.Float16, 2, 2, 67)]
    [InlineData(36, 6, 3, HostElementType.BFloat16, 1, 0, 9)]
    [InlineData(16, 4, 2, HostElementType.BFloat16, 2, 3, 47)]
    [InlineData(16, 4, 2, HostElementType.Float16, 2, 0, 47)]
    [InlineData(8, 2, 1, HostElementType.BFloat16, 3, 1, 29)]
    [InlineData(24, 4, 4, HostElementType.BFloat16, 2, 5, 33)]
    // Every blocking of a group of query heads over a shared KV head: groups of 2, 3 (a pair and a single), 4, 6, 7, 8 and
    // all heads (MQA, 32 by 1), in heads that leave 0 to 7 elements past the last vector or are shorter than one, over a
    // single token and token counts that end mid-sub-block and mid-quartet.
    [InlineData(16, 4, 2, HostElementType.Float16, 2, 0, 70)]
    [InlineData(16, 4, 2, HostElementType.BFloat16, 1, 3, 4)]
    [InlineData(130, 4, 2, HostElementType.Float32, 2, 1, 67)]
    [InlineData(24, 6, 2, HostElementType.Float16, 2, 0, 99)]
    [InlineData(100, 6, 2, HostElementType.BFloat16, 1, 5, 6)]
    [InlineData(61, 6, 2, HostElementType.Float32, 3, 0, 35)]
    [InlineData(64, 8, 2, HostElementType.Float16, 2, 4, 133)]
    [InlineData(200, 8, 2, HostElementType.BFloat16, 1, 0, 77)]
    [InlineData(128, 8, 1, HostElementType.BFloat16, 2, 0, 65)]
    [InlineData(72, 16, 2, HostElementType.Float16, 1, 2, 3)]
    [InlineData(256, 16, 2, HostElementType.Float32, 1, 0, 46)]
    [InlineData(36, 12, 2, HostElementType.BFloat16, 2, 1, 70)]
    [InlineData(128, 32, 1, HostElementType.Float16, 2, 0, 69)]
    [InlineData(96, 32, 1, HostElementType.BFloat16, 1, 7, 8)]
    [InlineData(5, 32, 1, HostElementType.Float32, 2, 0, 30)]
    [InlineData(7, 12, 4, HostElementType.Float16, 2, 0, 41)]
    [InlineData(252, 14, 2, HostElementType.Float16, 1, 0, 66)]
    public void Partials_match_float64_attention(int headDim, int heads, int kvHeads, HostElementType element, int batch, int start, int end)
    {
        var fixture = new AttentionCase(batch, heads, kvHeads, headDim, element, start, end, seed: headDim + heads + end);

        var (acc, max, sum) = fixture.Run(start, end);

        var reference = fixture.Reference();
        for (int row = 0; row < fixture.Rows; row++)
            ShouldMatch(fixture, (acc, max, sum), reference, row, Tolerance);
    }

    /// <summary>
    /// The job on a pool of five threads, more than this machine may give the shared pool: a sequence's blocks fold on
    /// different threads and the last to finish reduces them. Calls in a row, and one after the workers have gone to sleep,
    /// match float64 each time.
    /// </summary>
    [Theory]
    [InlineData(128, 32, 8, HostElementType.Float16, 3, 0, 700)]
    [InlineData(64, 8, 8, HostElementType.BFloat16, 1, 5, 400)]
    [InlineData(32, 4, 4, HostElementType.Float32, 7, 2, 90)]
    public void Partials_match_float64_attention_on_a_pool_of_five_threads(int headDim, int heads, int kvHeads, HostElementType element, int batch, int start, int end)
    {
        var pool = new HostWorkerPool(5);
        var fixture = new AttentionCase(batch, heads, kvHeads, headDim, element, start, end, seed: headDim + end);
        var reference = fixture.Reference();

        for (int call = 0; call < 4; call++)
        {
            if (call == 2)
                System.Threading.Thread.Sleep(20);
            var partials = fixture.Run(start, end, pool);
            for (int row = 0; row < fixture.Rows; row++)
                ShouldMatch(fixture, partials, reference, row, Tolerance);
        }
    }

    /// <summary>
    /// Scores spread over hundreds, as random weights of real widths give: most exponentials would underflow (the kernel
    /// makes weights below e^-40 of the running max 0), and the partials still match float64.
    /// </summary>
    [Theory]
    [InlineData(128, 32, 8, HostElementType.BFloat16, 2, 0, 300)]
    [InlineData(128, 8, 8, HostElementType.Float16, 2, 5, 260)]
    [InlineData(64, 4, 1, HostElementType.Float32, 1, 0, 200)]
    public void Partials_match_float64_attention_when_scores_span_hundreds(int headDim, int heads, int kvHeads, HostElementType element, int batch, int start, int end)
    {
        var fixture = new AttentionCase(batch, heads, kvHeads, headDim, element, start, end, seed: 3 * headDim + end, scoreScale: 300);

        var (acc, max, sum) = fixture.Run(start, end);

        var reference = fixture.Reference();
        for (int row = 0; row < fixture.Rows; row++)
            ShouldMatch(fixture, (acc, max, sum), reference, row, Tolerance);
    }

    /// <summary>
    /// Zeros of both signs, subnormals and values near the format's largest, beside ordinary ones: the 16-bit rows must
    /// widen exactly for every class. Outputs are compared relative to the largest stored magnitude (the scores stay small,
    /// so only V holds the large values).
    /// </summary>
    [Theory]
    [InlineData(HostElementType.Float16, 4, 64)]
    [InlineData(HostElementType.Float16, 1, 44)]
    [InlineData(HostElementType.Float16, 2, 128)]
    [InlineData(HostElementType.BFloat16, 4, 128)]
    [InlineData(HostElementType.BFloat16, 2, 20)]
    public void Partials_match_float64_attention_over_zeros_subnormals_and_large_values(HostElementType element, int kvHeads, int headDim)
    {
        float smallest = element == HostElementType.Float16 ? (float)BitConverter.UInt16BitsToHalf(1) : BitConverter.UInt32BitsToSingle(1 << 16);
        float largest = element == HostElementType.Float16 ? 60000f : 1e30f;
        float Special(Random random) => random.Next(6) switch
        {
            0 => 0f,
            1 => -0f,
            2 => smallest * random.Next(-200, 200),
            _ => random.NextSingle() * 2 - 1,
        };
        var keys = new AttentionCase(3, 4, kvHeads, headDim, element, 1, 90, seed: 11, Special);
        var values = new AttentionCase(3, 4, kvHeads, headDim, element, 1, 90, seed: 12, r => r.Next(8) == 0 ? largest * (r.NextSingle() * 2 - 1) : Special(r));
        Array.Copy(values.Values, keys.Values, keys.Values.Length);

        var (acc, max, sum) = keys.Run(1, 90);

        var reference = keys.Reference();
        for (int row = 0; row < keys.Rows; row++)
            ShouldMatch(keys, (acc, max, sum), reference, row, Tolerance, outputScale: largest);
    }

    /// <summary>
    /// One token: its weight is exactly 1, so the partial's sum is 1, its accumulator is the V row itself and, with one-hot
    /// queries, each score is one K element: every value must come through bit for bit (zeros of either sign as zero).
    /// Groups of 1 to 32 query heads a KV head; 20, 12, 44 and 6 elements leave a scalar tail (6: no vector at all).
    /// </summary>
    [Theory]
    [InlineData(HostElementType.Float16, 4, 4, 20)]
    [InlineData(HostElementType.Float16, 4, 1, 32)]
    [InlineData(HostElementType.BFloat16, 4, 4, 32)]
    [InlineData(HostElementType.BFloat16, 4, 2, 12)]
    [InlineData(HostElementType.Float16, 6, 2, 44)]
    [InlineData(HostElementType.BFloat16, 8, 1, 16)]
    [InlineData(HostElementType.Float16, 32, 1, 6)]
    [InlineData(HostElementType.BFloat16, 32, 8, 128)]
    public void One_token_passes_zeros_subnormals_and_extremes_through_exactly(HostElementType element, int heads, int kvHeads, int headDim)
    {
        ushort[] special = element == HostElementType.Float16
            ? new ushort[] { 0x0000, 0x8000, 0x0001, 0x8001, 0x03FF, 0x83FF, 0x0200, 0x0400, 0x8400, 0x7BFF, 0xFBFF, 0x7800, 0x3C00, 0xBC01, 0x3555, 0x5A3F, 0x0155 }
            : new ushort[] { 0x0000, 0x8000, 0x0001, 0x8001, 0x007F, 0x807F, 0x0080, 0x7F7F, 0xFF7F, 0x3F80, 0xBF81, 0x4049, 0x1234, 0x0040 };
        var fixture = new AttentionCase(batch: special.Length, heads, kvHeads, headDim, element, start: 0, end: 1, seed: 5);
        int group = heads / kvHeads;
        Array.Clear(fixture.Queries);
        for (int b = 0; b < fixture.Batch; b++)
        {
            for (int g = 0; g < kvHeads; g++)
            {
                for (int e = 0; e < headDim; e++)
                {
                    fixture.Keys[fixture.Index(b, 0, g, e)] = special[(b + g + e) % special.Length];
                    fixture.Values[fixture.Index(b, 0, g, e)] = special[(b + 2 * g + 3 * e) % special.Length];
                }
            }
            for (int h = 0; h < heads; h++)
                fixture.Queries[(b * heads + h) * headDim + (b + h) % headDim] = 1;
        }

        var (acc, max, sum) = fixture.Run(0, 1);

        for (int b = 0; b < fixture.Batch; b++)
        {
            for (int h = 0; h < heads; h++)
            {
                int row = b * heads + h;
                ((double)max[row]).ShouldBe(fixture.Stored(fixture.Keys, b, 0, h / group, (b + h) % headDim), $"score of sequence {b}, head {h}");
                sum[row].ShouldBe(1f);
                for (int e = 0; e < headDim; e++)
                    ((double)acc[row * headDim + e]).ShouldBe(fixture.Stored(fixture.Values, b, 0, h / group, e), $"sequence {b}, head {h}, element {e}");
            }
        }
    }

    /// <summary>
    /// NaN and infinity are not finite numbers to attend over: a head that reads one gets a non-finite partial, as the
    /// float64 reference does, and every other head stays exact (fp16 keeps its all-ones exponent when it widens).
    /// </summary>
    [Theory]
    [InlineData(HostElementType.Float16, 4, 2, 32, 0x7E00, 0x7C00)]
    [InlineData(HostElementType.Float16, 4, 4, 32, 0xFC00, 0x7C01)]
    [InlineData(HostElementType.Float16, 4, 4, 24, 0x7C00, 0xFE00)]
    [InlineData(HostElementType.BFloat16, 4, 2, 32, 0x7FC0, 0xFF80)]
    [InlineData(HostElementType.Float16, 6, 2, 40, 0x7E00, 0x7C00)]
    [InlineData(HostElementType.Float16, 16, 4, 64, 0xFE00, 0xFC00)]
    [InlineData(HostElementType.BFloat16, 8, 1, 24, 0x7FC0, 0x7F80)]
    [InlineData(HostElementType.Float16, 32, 1, 128, 0x7C01, 0x7C00)]
    public void A_non_finite_value_makes_only_the_heads_that_read_it_non_finite(HostElementType element, int heads, int kvHeads, int headDim, int keyBits, int valueBits)
    {
        var fixture = new AttentionCase(batch: 3, heads, kvHeads, headDim, element, start: 0, end: 21, seed: 3);
        // Element 3 lies in a vector's span; the value's is the last, which the fp16 inf/NaN check reads one by one in heads of 24.
        fixture.Keys[fixture.Index(0, 5, kvHeads - 1, 3)] = (ushort)keyBits;
        fixture.Values[fixture.Index(2, 7, 0, headDim - 1)] = (ushort)valueBits;
        int group = heads / kvHeads;

        var (acc, max, sum) = fixture.Run(0, 21);

        var reference = fixture.Reference();
        for (int row = 0; row < fixture.Rows; row++)
        {
            int b = row / heads, kvHead = row % heads / group;
            bool readsKey = b == 0 && kvHead == kvHeads - 1, readsValue = b == 2 && kvHead == 0;
            if (readsKey)
                (float.IsFinite(max[row]) && float.IsFinite(sum[row])).ShouldBeFalse($"row {row} read a non-finite key");
            else if (readsValue)
                float.IsFinite(acc[(row + 1) * headDim - 1]).ShouldBeFalse($"row {row} read a non-finite value");
            else
                ShouldMatch(fixture, (acc, max, sum), reference, row, Tolerance);
        }
    }

    private static void ShouldMatch(AttentionCase fixture, (float[] Acc, float[] Max, float[] Sum) partial,
        (double[] Output, double[] Max, double[] Sum) reference, int row, double tolerance, double outputScale = 1)
    {
        int headDim = fixture.HeadDim;
        ((double)partial.Max[row]).ShouldBe(reference.Max[row], tolerance, $"row {row}");
        (partial.Sum[row] / reference.Sum[row]).ShouldBe(1, tolerance, $"row {row}");
        for (int e = 0; e < headDim; e++)
        {
            double output = partial.Acc[row * headDim + e] / partial.Sum[row];
            output.ShouldBe(reference.Output[row * headDim + e], tolerance * outputScale, $"row {row}, element {e}");
        }
    }

    [Theory]
    [InlineData(HostElementType.Float32, 2)]
    [InlineData(HostElementType.Float16, 2)]
    [InlineData(HostElementType.BFloat16, 1)]
    public void An_empty_share_is_an_empty_partial(HostElementType element, int kvHeads)
    {
        var fixture = new AttentionCase(batch: 5, heads: 8, kvHeads, headDim: 64, element, start: 4, end: 4, seed: 1);

        var (acc, max, sum) = fixture.Run(4, 4);

        max.ShouldAllBe(m => float.IsNegativeInfinity(m));
        sum.ShouldAllBe(s => s == 0);
        acc.ShouldAllBe(a => a == 0);
    }

    [Theory]
    [InlineData(64, 8, 8, HostElementType.Float16, 1, 0, 100, 1)]
    [InlineData(128, 32, 8, HostElementType.BFloat16, 5, 3, 240, 2)]
    [InlineData(128, 8, 1, HostElementType.Float32, 5, 0, 90, 3)]
    [InlineData(32, 4, 4, HostElementType.Float16, 1, 0, 2, 4)]
    public void Two_partials_split_at_random_merge_into_full_attention(int headDim, int heads, int kvHeads, HostElementType element, int batch, int start, int end, int seed)
    {
        var fixture = new AttentionCase(batch, heads, kvHeads, headDim, element, start, end, seed);
        int split = new Random(seed).Next(start, end + 1);
        var first = fixture.Run(start, split);
        var second = fixture.Run(split, end);
        var merged = new float[fixture.Rows * headDim];

        AttentionPartials.Combine(fixture.Rows, headDim, merged, new AttentionPartials(batch, first.Acc, first.Max, first.Sum), new AttentionPartials(batch, second.Acc, second.Max, second.Sum));

        var (output, _, _) = fixture.Reference();
        for (int i = 0; i < merged.Length; i++)
            ((double)merged[i]).ShouldBe(output[i], Tolerance, $"element {i} (split at {split})");
    }

    [Fact]
    public unsafe void Invalid_arguments_name_the_field()
    {
        float* anything = stackalloc float[1];
        var args = new HostAttentionArgs
        {
            Queries = anything, Keys = anything, Values = anything, Acc = anything, Max = anything, Sum = anything,
            Batch = 1, Heads = 6, KvHeads = 4, HeadDim = 1, Start = 0, End = 0,
        };

        var error = Should.Throw<ArgumentException>(() => HostAttention.Run(args));

        error.ParamName.ShouldBe(nameof(HostAttentionArgs.KvHeads));
        error.Message.ShouldContain("HostAttentionArgs.KvHeads must be positive and divide Heads (6), but is 4.");
        Should.Throw<ArgumentException>(() => HostAttention.Run(args with { KvHeads = 2, End = 5, Batch = 2, SequenceStride = 4 }))
            .ParamName.ShouldBe(nameof(HostAttentionArgs.SequenceStride));
        Should.Throw<ArgumentException>(() => HostAttention.Run(args with { KvHeads = 2, Start = 3, End = 2 }))
            .ParamName.ShouldBe(nameof(HostAttentionArgs.End));
    }
}
