using System;
using System.Collections.Generic;
using System.Numerics.Tensors;
using System.Threading.Tasks;
using Kvpr.Backend;

namespace Kvpr.Cpu
{
    /// <summary>The decode operations in fp32, following Hugging Face's float32 forward pass step by step.</summary>
    internal sealed class CpuOps : IDeviceOps
    {
        public void Gemm(IStream stream, DeviceMatrix x, IDeviceBuffer weight, IDeviceBuffer? bias, DeviceMatrix y) =>
            CpuGemm.Multiply(x, CpuBuffer.Of(weight).Data, bias is null ? null : CpuBuffer.Of(bias).Data, y);

        public void ProjectKv(IStream stream, DeviceMatrix x, IDeviceBuffer keyWeight, IDeviceBuffer? keyBias, IDeviceBuffer valueWeight, IDeviceBuffer? valueBias,
            DeviceMatrix keys, DeviceMatrix values, int headDim, int firstPosition, IDeviceBuffer? inverseFrequencies)
        {
            Gemm(stream, x, keyWeight, keyBias, keys);
            Gemm(stream, x, valueWeight, valueBias, values);
            if (inverseFrequencies is not null)
                Rope(stream, keys, headDim, firstPosition, inverseFrequencies);
        }

        public void LayerNorm(IStream stream, DeviceMatrix x, IDeviceBuffer gamma, IDeviceBuffer beta, DeviceMatrix y, double eps)
        {
            float[] g = CpuBuffer.Of(gamma).Data, b = CpuBuffer.Of(beta).Data;
            ForEachRowPair(x, y, (input, output) =>
            {
                float mean = TensorPrimitives.Sum(input) / input.Length;
                float variance = 0;
                foreach (float v in input)
                    variance += (v - mean) * (v - mean);
                float inverse = 1 / MathF.Sqrt(variance / input.Length + (float)eps);
                for (int i = 0; i < input.Length; i++)
                    output[i] = (input[i] - mean) * inverse * g[i] + b[i];
            });
        }

        public void RmsNorm(IStream stream, DeviceMatrix x, IDeviceBuffer gamma, DeviceMatrix y, double eps)
        {
            float[] g = CpuBuffer.Of(gamma).Data;
            ForEachRowPair(x, y, (input, output) =>
            {
                float inverse = 1 / MathF.Sqrt(TensorPrimitives.SumOfSquares(input) / input.Length + (float)eps);
                for (int i = 0; i < input.Length; i++)
                    output[i] = g[i] * (input[i] * inverse);
            });
        }

        public void Rope(IStream stream, DeviceMatrix x, int headDim, int firstPosition, IDeviceBuffer inverseFrequencies)
        {
            int half = headDim / 2;
            var inverseFrequency = CpuBuffer.Of(inverseFrequencies).Data;

            var data = CpuBuffer.Of(x.Buffer).Data;
            for (int s = 0; s < x.Sequences; s++)
            {
                for (int t = 0; t < x.Tokens; t++)
                {
                    var row = data.AsSpan((int)x.RowOffset(s, t), x.Width);
                    float position = firstPosition + t;
                    for (int i = 0; i < half; i++)
                    {
                        // fp32 like Hugging Face: angle = position · inv_freq.
                        float angle = position * inverseFrequency[i];
                        float cos = MathF.Cos(angle), sin = MathF.Sin(angle);
                        for (int head = 0; head < x.Width; head += headDim)
                        {
                            float a = row[head + i], b = row[head + i + half];
                            row[head + i] = a * cos - b * sin;
                            row[head + i + half] = b * cos + a * sin;
                        }
                    }
                }
            }
        }

        public void Activate(IStream stream, DeviceMatrix x, Activation activation) =>
            ForEachRow(x, row =>
            {
                for (int i = 0; i < row.Length; i++)
                    row[i] = Activations.Apply(activation, row[i]);
            });

        public void GatedActivate(IStream stream, DeviceMatrix gate, DeviceMatrix up, Activation activation) =>
            ForEachRowPair(up, gate, (u, g) =>
            {
                for (int i = 0; i < g.Length; i++)
                    g[i] = Activations.Apply(activation, g[i]) * u[i];
            });

        public void Add(IStream stream, DeviceMatrix target, DeviceMatrix addend) =>
            ForEachRowPair(addend, target, (a, t) => TensorPrimitives.Add(t, a, t));

        public void Attention(IStream stream, DeviceMatrix q, DeviceMatrix keys, DeviceMatrix values, DeviceMatrix output, int heads, int kvHeads, int slidingWindow)
        {
            if (q.IsEmpty)
                return;
            int headDim = q.Width / heads, group = heads / kvHeads;
            float scale = 1 / MathF.Sqrt(headDim);
            float[] query = CpuBuffer.Of(q.Buffer).Data, key = CpuBuffer.Of(keys.Buffer).Data, value = CpuBuffer.Of(values.Buffer).Data;
            float[] result = CpuBuffer.Of(output.Buffer).Data;

            void Head(int index)
            {
                int s = index / heads, head = index % heads, kvColumn = head / group * headDim;
                var scores = new float[keys.Tokens];
                for (int t = 0; t < q.Tokens; t++)
                {
                    // Keys [first, position] are visible: the causal limit, and the window's start where there is one.
                    int position = keys.Tokens - q.Tokens + t;
                    int first = slidingWindow > 0 ? Math.Max(0, position - slidingWindow + 1) : 0;
                    var qHead = new ReadOnlySpan<float>(query, (int)q.RowOffset(s, t) + head * headDim, headDim);
                    var weights = scores.AsSpan(0, position + 1 - first);
                    for (int j = 0; j < weights.Length; j++)
                        weights[j] = TensorPrimitives.Dot(qHead, new ReadOnlySpan<float>(key, (int)keys.RowOffset(s, first + j) + kvColumn, headDim)) * scale;
                    float max = TensorPrimitives.Max(weights);
                    TensorPrimitives.Subtract(weights, max, weights);
                    TensorPrimitives.Exp(weights, weights);
                    TensorPrimitives.Divide(weights, TensorPrimitives.Sum(weights), weights);

                    var outHead = new Span<float>(result, (int)output.RowOffset(s, t) + head * headDim, headDim);
                    outHead.Clear();
                    for (int j = 0; j < weights.Length; j++)
                        TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>(value, (int)values.RowOffset(s, first + j) + kvColumn, headDim), weights[j], outHead, outHead);
                }
            }

            int work = q.Sequences * heads;
            if ((long)q.Rows * keys.Tokens * q.Width < 1 << 16)
            {
                for (int i = 0; i < work; i++)
                    Head(i);
            }
            else
            {
                Parallel.For(0, work, Head);
            }
        }

        public void Embed(IStream stream, IReadOnlyList<int> tokenIds, IDeviceBuffer tokenTable, IDeviceBuffer? positionTable, int firstPosition, int positionOffset, DeviceMatrix output)
        {
            if (tokenIds.Count != output.Rows)
                throw new ArgumentException($"Embedding {tokenIds.Count} token ids into {output.Rows} rows.", nameof(tokenIds));
            float[] tokens = CpuBuffer.Of(tokenTable).Data, data = CpuBuffer.Of(output.Buffer).Data;
            float[]? positions = positionTable is null ? null : CpuBuffer.Of(positionTable).Data;
            int width = output.Width;
            for (int s = 0; s < output.Sequences; s++)
            {
                for (int t = 0; t < output.Tokens; t++)
                {
                    var row = data.AsSpan((int)output.RowOffset(s, t), width);
                    tokens.AsSpan(tokenIds[s * output.Tokens + t] * width, width).CopyTo(row);
                    if (positions is not null)
                        TensorPrimitives.Add(row, positions.AsSpan((firstPosition + t + positionOffset) * width, width), row);
                }
            }
        }

        private delegate void RowAction(Span<float> row);

        private delegate void RowPairAction(ReadOnlySpan<float> input, Span<float> output);

        private static void ForEachRow(DeviceMatrix x, RowAction action)
        {
            var data = CpuBuffer.Of(x.Buffer).Data;
            for (int s = 0; s < x.Sequences; s++)
                for (int t = 0; t < x.Tokens; t++)
                    action(data.AsSpan((int)x.RowOffset(s, t), x.Width));
        }

        private static void ForEachRowPair(DeviceMatrix input, DeviceMatrix output, RowPairAction action)
        {
            if (input.Sequences != output.Sequences || input.Tokens != output.Tokens || input.Width != output.Width)
                throw new ArgumentException($"Row views differ: {input.Sequences}×{input.Tokens}×{input.Width} and {output.Sequences}×{output.Tokens}×{output.Width}.");
            float[] source = CpuBuffer.Of(input.Buffer).Data, destination = CpuBuffer.Of(output.Buffer).Data;
            for (int s = 0; s < input.Sequences; s++)
                for (int t = 0; t < input.Tokens; t++)
                    action(source.AsSpan((int)input.RowOffset(s, t), input.Width), destination.AsSpan((int)output.RowOffset(s, t), output.Width));
        }
    }
}
