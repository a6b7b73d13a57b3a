using System;
using System.Numerics;
using System.Threading.Tasks;
using Kvpr.Backend;

namespace Kvpr.Cpu
{
    /// <summary>
    /// y = x · Wᵀ + b for a row-major Linear weight W [out, in]: every output is the dot product of an input
    /// row and a weight row, both contiguous. The output is cut into blocks of columns that run in parallel;
    /// inside a block a register-blocked kernel computes 4 rows × 2 columns at a time, so each loaded vector
    /// of x serves two weight rows and each vector of W four input rows.
    /// </summary>
    internal static class CpuGemm
    {
        private const int ColumnBlock = 64;
        private const int RowTile = 4;
        private const int ColumnTile = 2;
        // Below this many multiply-adds a parallel loop costs more than it saves.
        private const long ParallelThreshold = 1 << 17;

        public static void Multiply(DeviceMatrix x, float[] weight, float[]? bias, DeviceMatrix y)
        {
            int inFeatures = x.Width, outFeatures = y.Width;
            if (x.Sequences != y.Sequences || x.Tokens != y.Tokens)
                throw new ArgumentException($"GEMM input has {x.Sequences}×{x.Tokens} rows but output {y.Sequences}×{y.Tokens}.");
            if (weight.Length != (long)inFeatures * outFeatures)
                throw new ArgumentException($"GEMM weight has {weight.Length} elements, expected [{outFeatures}, {inFeatures}].");
            if (x.IsEmpty)
                return;

            float[] input = CpuBuffer.Of(x.Buffer).Data, output = CpuBuffer.Of(y.Buffer).Data;
            int rows = x.Rows;
            var inputOffsets = new int[rows];
            var outputOffsets = new int[rows];
            for (int s = 0, r = 0; s < x.Sequences; s++)
            {
                for (int t = 0; t < x.Tokens; t++, r++)
                {
                    inputOffsets[r] = (int)x.RowOffset(s, t);
                    outputOffsets[r] = (int)y.RowOffset(s, t);
                }
            }

            void Block(int block)
            {
                int first = block * ColumnBlock, last = Math.Min(outFeatures, first + ColumnBlock);
                int r = 0;
                for (; r + RowTile <= rows; r += RowTile)
                {
                    int o = first;
                    for (; o + ColumnTile <= last; o += ColumnTile)
                        Tile(input, inputOffsets, r, weight, o, inFeatures, bias, output, outputOffsets);
                    for (; o < last; o++)
                        for (int k = 0; k < RowTile; k++)
                            output[outputOffsets[r + k] + o] = Dot(input, inputOffsets[r + k], weight, o * inFeatures, inFeatures) + (bias?[o] ?? 0);
                }
                for (; r < rows; r++)
                    for (int o = first; o < last; o++)
                        output[outputOffsets[r] + o] = Dot(input, inputOffsets[r], weight, o * inFeatures, inFeatures) + (bias?[o] ?? 0);
            }

            int blocks = (outFeatures + ColumnBlock - 1) / ColumnBlock;
            if ((long)rows * inFeatures * outFeatures < ParallelThreshold)
            {
                for (int block = 0; block < blocks; block++)
                    Block(block);
            }
            else
            {
                Parallel.For(0, blocks, Block);
            }
        }

        // Rows r..r+3 times weight rows o, o+1: eight vector accumulators.
        private static void Tile(float[] input, int[] inputOffsets, int r, float[] weight, int o, int length, float[]? bias, float[] output, int[] outputOffsets)
        {
            var x0 = input.AsSpan(inputOffsets[r], length);
            var x1 = input.AsSpan(inputOffsets[r + 1], length);
            var x2 = input.AsSpan(inputOffsets[r + 2], length);
            var x3 = input.AsSpan(inputOffsets[r + 3], length);
            var w0 = weight.AsSpan(o * length, length);
            var w1 = weight.AsSpan((o + 1) * length, length);
            Vector<float> a00 = default, a01 = default, a10 = default, a11 = default, a20 = default, a21 = default, a30 = default, a31 = default;
            int width = Vector<float>.Count, i = 0;
            for (; i + width <= length; i += width)
            {
                var v0 = new Vector<float>(w0.Slice(i));
                var v1 = new Vector<float>(w1.Slice(i));
                var u = new Vector<float>(x0.Slice(i));
                a00 += u * v0;
                a01 += u * v1;
                u = new Vector<float>(x1.Slice(i));
                a10 += u * v0;
                a11 += u * v1;
                u = new Vector<float>(x2.Slice(i));
                a20 += u * v0;
                a21 += u * v1;
                u = new Vector<float>(x3.Slice(i));
                a30 += u * v0;
                a31 += u * v1;
            }
            float s00 = Vector.Sum(a00), s01 = Vector.Sum(a01), s10 = Vector.Sum(a10), s11 = Vector.Sum(a11);
            float s20 = Vector.Sum(a20), s21 = Vector.Sum(a21), s30 = Vector.Sum(a30), s31 = Vector.Sum(a31);
            for (; i < length; i++)
            {
                s00 += x0[i] * w0[i];
                s01 += x0[i] * w1[i];
                s10 += x1[i] * w0[i];
                s11 += x1[i] * w1[i];
                s20 += x2[i] * w0[i];
                s21 += x2[i] * w1[i];
                s30 += x3[i] * w0[i];
                s31 += x3[i] * w1[i];
            }
            float b0 = bias?[o] ?? 0, b1 = bias?[o + 1] ?? 0;
            output[outputOffsets[r] + o] = s00 + b0;
            output[outputOffsets[r] + o + 1] = s01 + b1;
            output[outputOffsets[r + 1] + o] = s10 + b0;
            output[outputOffsets[r + 1] + o + 1] = s11 + b1;
            output[outputOffsets[r + 2] + o] = s20 + b0;
            output[outputOffsets[r + 2] + o + 1] = s21 + b1;
            output[outputOffsets[r + 3] + o] = s30 + b0;
            output[outputOffsets[r + 3] + o + 1] = s31 + b1;
        }

        private static float Dot(float[] x, int xOffset, float[] w, int wOffset, int length) =>
            System.Numerics.Tensors.TensorPrimitives.Dot(new ReadOnlySpan<float>(x, xOffset, length), new ReadOnlySpan<float>(w, wOffset, length));
    }
}
