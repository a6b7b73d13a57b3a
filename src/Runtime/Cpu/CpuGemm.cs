using System;
using System.Numerics.Tensors;
using System.Threading.Tasks;
using Kvpr.Backend;

namespace Kvpr.Cpu
{
    /// <summary>
    /// y = x · Wᵀ + b for a row-major Linear weight W [out, in]: every output is the dot product of an input
    /// row and a weight row, both contiguous. Work is split into blocks of output columns so that a block of
    /// weight rows stays in cache while every input row passes over it; blocks run in parallel.
    /// </summary>
    internal static class CpuGemm
    {
        private const int ColumnBlock = 64;
        // Below this many multiply-adds a parallel loop costs more than it saves.
        private const long ParallelThreshold = 1 << 18;

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

            int blocks = (outFeatures + ColumnBlock - 1) / ColumnBlock;
            void Block(int block)
            {
                int first = block * ColumnBlock, last = Math.Min(outFeatures, first + ColumnBlock);
                for (int r = 0; r < rows; r++)
                {
                    var row = new ReadOnlySpan<float>(input, inputOffsets[r], inFeatures);
                    var result = new Span<float>(output, outputOffsets[r], outFeatures);
                    for (int o = first; o < last; o++)
                        result[o] = TensorPrimitives.Dot(row, new ReadOnlySpan<float>(weight, o * inFeatures, inFeatures)) + (bias is null ? 0 : bias[o]);
                }
            }

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
    }
}
