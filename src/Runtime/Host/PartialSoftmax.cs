using System;
using System.Numerics.Tensors;

namespace Kvpr.Host
{
    /// <summary>
    /// Merges two partial softmaxes over disjoint keys (the GPU's tokens and the CPU's) into attention's output, as split-K
    /// decode attention does: with M the larger max, out = (e^{m₁−M}·acc₁ + e^{m₂−M}·acc₂) / (e^{m₁−M}·s₁ + e^{m₂−M}·s₂).
    /// A partial over no keys (max −∞) counts for nothing; when both are empty the output is 0.
    /// </summary>
    public static class PartialSoftmax
    {
        /// <summary>
        /// One row: writes the normalised attention output into <paramref name="output"/>, which may be
        /// <paramref name="firstAcc"/> (merged in place) but not <paramref name="secondAcc"/>.
        /// </summary>
        /// <exception cref="ArgumentException">The three spans differ in length.</exception>
        public static void Merge(ReadOnlySpan<float> firstAcc, float firstMax, float firstSum,
            ReadOnlySpan<float> secondAcc, float secondMax, float secondSum, Span<float> output)
        {
            if (firstAcc.Length != output.Length || secondAcc.Length != output.Length)
                throw new ArgumentException($"Partial softmax rows of {firstAcc.Length} and {secondAcc.Length} values cannot merge into {output.Length}.", nameof(output));
            float max = MathF.Max(firstMax, secondMax);
            float firstScale = Scale(firstMax, max), secondScale = Scale(secondMax, max);
            float denominator = firstScale * firstSum + secondScale * secondSum;
            if (denominator == 0)
            {
                output.Clear();
                return;
            }
            if (firstScale == 0)
            {
                TensorPrimitives.Multiply(secondAcc, secondScale / denominator, output);
                return;
            }
            TensorPrimitives.Multiply(firstAcc, firstScale / denominator, output);
            if (secondScale != 0)
                TensorPrimitives.MultiplyAdd(secondAcc, secondScale / denominator, output, output);
        }

        /// <summary>
        /// Every row of <paramref name="first"/> with the same row of <paramref name="second"/>, into
        /// <paramref name="output"/> [rows][headDim] (e.g. [batch][heads][headDim]).
        /// </summary>
        /// <exception cref="ArgumentException">The partials or the output differ in rows or head size.</exception>
        public static void Merge(PartialSoftmaxRows first, PartialSoftmaxRows second, Span<float> output)
        {
            if (first.Rows != second.Rows || first.HeadDim != second.HeadDim || output.Length != first.Acc.Length)
                throw new ArgumentException(
                    $"Partial softmaxes of {first.Rows}×{first.HeadDim} and {second.Rows}×{second.HeadDim} values cannot merge into an output of {output.Length}.",
                    nameof(output));
            int headDim = first.HeadDim;
            for (int row = 0; row < first.Rows; row++)
                Merge(first.AccRow(row), first.Max[row], first.Sum[row], second.AccRow(row), second.Max[row], second.Sum[row], output.Slice(row * headDim, headDim));
        }

        /// <summary>e^{partialMax − max}, exactly 0 for an empty partial (whose max is −∞, as max may be).</summary>
        private static float Scale(float partialMax, float max) =>
            float.IsNegativeInfinity(partialMax) ? 0 : MathF.Exp(partialMax - max);
    }
}
