using System;
using System.Linq;
using Kvpr.Backend;
using Kvpr.Cpu;

namespace Kvpr.Runtime.Tests.Cpu;

/// <summary>The CPU ops against straightforward float64 computations of the same formulas.</summary>
public class CpuOpsTests
{
    private readonly CpuDevice _device = new();
    private readonly IStream _stream;
    private readonly Random _random = new(7);

    public CpuOpsTests() => _stream = _device.CreateStream();

    private IDeviceOps Ops => _device.Ops;

    [Theory]
    [InlineData(3, 2, 24, 40, false)]
    // Large enough for the parallel path: 8 · 128 · 300 multiply-adds.
    [InlineData(2, 4, 128, 300, true)]
    public void Gemm_over_strided_rows_is_x_times_w_transposed_plus_bias(int sequences, int tokens, int inFeatures, int outFeatures, bool withBias)
    {
        const int stride = 5, first = 1;
        var x = Buffer(sequences * stride * inFeatures);
        var w = Buffer(outFeatures * inFeatures);
        var bias = withBias ? Buffer(outFeatures) : null;
        var y = new CpuBuffer(sequences * stride * outFeatures);
        var xView = new DeviceMatrix(x, first * inFeatures, sequences, tokens, stride, inFeatures);
        var yView = new DeviceMatrix(y, first * outFeatures, sequences, tokens, stride, outFeatures);

        Ops.Gemm(_stream, xView, w, bias, yView);

        for (int s = 0; s < sequences; s++)
            for (int t = 0; t < tokens; t++)
                for (int o = 0; o < outFeatures; o++)
                {
                    double expected = bias?.Data[o] ?? 0;
                    for (int i = 0; i < inFeatures; i++)
                        expected += (double)x.Data[xView.RowOffset(s, t) + i] * w.Data[o * inFeatures + i];
                    y.Data[yView.RowOffset(s, t) + o].ShouldBe((float)expected, 1e-4);
                }
        // Rows outside the view stay untouched.
        y.Data.Take(outFeatures).ShouldAllBe(v => v == 0);
    }

    [Fact]
    public void Layer_norm_and_rms_norm_follow_their_definitions()
    {
        const int rows = 3, width = 48;
        const double eps = 1e-5;
        var x = Buffer(rows * width);
        var gamma = Buffer(width);
        var beta = Buffer(width);
        var layerNorm = new CpuBuffer(rows * width);
        var rmsNorm = new CpuBuffer(rows * width);

        Ops.LayerNorm(_stream, Dense(x, rows, width), gamma, beta, Dense(layerNorm, rows, width), eps);
        Ops.RmsNorm(_stream, Dense(x, rows, width), gamma, Dense(rmsNorm, rows, width), eps);

        for (int r = 0; r < rows; r++)
        {
            var row = x.Data.Skip(r * width).Take(width).Select(v => (double)v).ToArray();
            double mean = row.Average(), variance = row.Select(v => (v - mean) * (v - mean)).Average();
            double rms = Math.Sqrt(row.Select(v => v * v).Average() + eps);
            for (int i = 0; i < width; i++)
            {
                layerNorm.Data[r * width + i].ShouldBe((float)((row[i] - mean) / Math.Sqrt(variance + eps) * gamma.Data[i] + beta.Data[i]), 1e-5);
                rmsNorm.Data[r * width + i].ShouldBe((float)(row[i] / rms * gamma.Data[i]), 1e-5);
            }
        }
    }

    [Fact]
    public void Rope_rotates_each_pair_by_position_times_frequency()
    {
        const int headDim = 8, heads = 2, tokens = 3, firstPosition = 5;
        var x = Buffer(tokens * heads * headDim);
        var original = x.Data.ToArray();
        var frequencies = new CpuBuffer(new[] { 1f, 0.5f, 0.25f, 0.125f });

        Ops.Rope(_stream, DeviceMatrix.Dense(x, 1, tokens, heads * headDim), headDim, firstPosition, frequencies);

        for (int t = 0; t < tokens; t++)
            for (int h = 0; h < heads; h++)
                for (int i = 0; i < headDim / 2; i++)
                {
                    int a = (t * heads + h) * headDim + i, b = a + headDim / 2;
                    double angle = (firstPosition + t) * frequencies.Data[i];
                    x.Data[a].ShouldBe((float)(original[a] * Math.Cos(angle) - original[b] * Math.Sin(angle)), 1e-5);
                    x.Data[b].ShouldBe((float)(original[b] * Math.Cos(angle) + original[a] * Math.Sin(angle)), 1e-5);
                }
    }

    [Theory]
    // One query per sequence over all keys (decode), grouped-query heads.
    [InlineData(1, 7, 4, 2, 0)]
    // As many queries as keys: causal (prefill), multi-head.
    [InlineData(5, 5, 2, 2, 0)]
    // Large enough for the parallel path.
    [InlineData(40, 40, 4, 1, 0)]
    // A sliding window of 3: decode sees the last 3 keys, prefill queries from position 2 on lose their earliest keys.
    [InlineData(1, 7, 4, 2, 3)]
    [InlineData(5, 5, 2, 2, 3)]
    [InlineData(6, 9, 2, 1, 4)]
    [InlineData(40, 40, 4, 1, 16)]
    public void Attention_is_softmax_of_scaled_scores_over_visible_keys(int queries, int keys, int heads, int kvHeads, int slidingWindow)
    {
        const int sequences = 2, headDim = 8;
        int capacity = keys + 2;
        int width = heads * headDim, kvWidth = kvHeads * headDim;
        var q = Buffer(sequences * queries * width);
        var k = Buffer(sequences * capacity * kvWidth);
        var v = Buffer(sequences * capacity * kvWidth);
        var output = new CpuBuffer(sequences * queries * width);
        var kView = new DeviceMatrix(k, 0, sequences, keys, capacity, kvWidth);
        var vView = new DeviceMatrix(v, 0, sequences, keys, capacity, kvWidth);

        Ops.Attention(_stream, DeviceMatrix.Dense(q, sequences, queries, width), kView, vView, DeviceMatrix.Dense(output, sequences, queries, width), heads, kvHeads, slidingWindow);

        for (int s = 0; s < sequences; s++)
            for (int t = 0; t < queries; t++)
                for (int h = 0; h < heads; h++)
                {
                    // Query t sits at position p = keys − queries + t and sees keys j ≤ p, and j > p − W with a window W.
                    int kvColumn = h / (heads / kvHeads) * headDim, position = keys - queries + t;
                    var visible = Enumerable.Range(0, position + 1).Where(j => slidingWindow == 0 || j > position - slidingWindow).ToArray();
                    var scores = visible.Select(j => Enumerable.Range(0, headDim)
                        .Sum(d => (double)q.Data[(s * queries + t) * width + h * headDim + d] * k.Data[kView.RowOffset(s, j) + kvColumn + d]) / Math.Sqrt(headDim)).ToArray();
                    var weights = scores.Select(score => Math.Exp(score - scores.Max())).ToArray();
                    for (int d = 0; d < headDim; d++)
                    {
                        double expected = visible.Select((j, i) => weights[i] * v.Data[vView.RowOffset(s, j) + kvColumn + d]).Sum() / weights.Sum();
                        output.Data[(s * queries + t) * width + h * headDim + d].ShouldBe((float)expected, 1e-5);
                    }
                }
    }

    [Fact]
    public void Embedding_adds_the_learned_position_at_its_offset()
    {
        const int width = 4, vocab = 6, offset = 2, firstPosition = 3;
        var tokens = Buffer(vocab * width);
        var positions = Buffer(10 * width);
        var output = new CpuBuffer(2 * 2 * width);
        int[] ids = { 5, 0, 2, 2 };

        Ops.Embed(_stream, ids, tokens, positions, firstPosition, offset, DeviceMatrix.Dense(output, 2, 2, width));

        for (int row = 0; row < 4; row++)
            for (int i = 0; i < width; i++)
                output.Data[row * width + i].ShouldBe(tokens.Data[ids[row] * width + i] + positions.Data[(firstPosition + row % 2 + offset) * width + i]);
    }

    [Theory]
    [InlineData(Activation.Relu, -0.5f, 0f)]
    [InlineData(Activation.Relu, 1.5f, 1.5f)]
    [InlineData(Activation.Silu, 1f, 0.7310585786f)]
    [InlineData(Activation.Gelu, 1f, 0.8413447461f)]
    [InlineData(Activation.Gelu, -0.5f, -0.1542687694f)]
    public void Activations_have_their_textbook_values(Activation activation, float input, float expected)
    {
        var x = new CpuBuffer(new[] { input });
        var up = new CpuBuffer(new[] { 3f });
        var gate = new CpuBuffer(new[] { input });

        Ops.Activate(_stream, DeviceMatrix.Dense(x, 1, 1, 1), activation);
        Ops.GatedActivate(_stream, DeviceMatrix.Dense(gate, 1, 1, 1), DeviceMatrix.Dense(up, 1, 1, 1), activation);

        x.Data[0].ShouldBe(expected, 1e-6);
        gate.Data[0].ShouldBe(3 * expected, 3e-6);
    }

    private CpuBuffer Buffer(int length) => new(Enumerable.Range(0, length).Select(_ => (float)(_random.NextDouble() * 2 - 1)).ToArray());

    private static DeviceMatrix Dense(IDeviceBuffer buffer, int rows, int width) => DeviceMatrix.Dense(buffer, 1, rows, width);
}
