using System;

namespace Kvpr.Host
{
    /// <summary>
    /// Partial softmax attention of several rows (one per sequence and head) over a subset of the keys: per row, the
    /// unnormalised Σ exp(score − max) · v (<see cref="Acc"/>, <see cref="HeadDim"/> values), the max score and the sum of
    /// exponentials. A row over no keys has max −∞ and sum 0. The layout of <see cref="HostAttentionArgs"/>' outputs.
    /// </summary>
    public readonly ref struct PartialSoftmaxRows
    {
        /// <exception cref="ArgumentException">The spans do not describe the same number of rows.</exception>
        public PartialSoftmaxRows(ReadOnlySpan<float> acc, ReadOnlySpan<float> max, ReadOnlySpan<float> sum)
        {
            if (sum.Length != max.Length)
                throw new ArgumentException($"A partial softmax has {max.Length} maxima but {sum.Length} sums.", nameof(sum));
            if (max.Length == 0 ? acc.Length != 0 : acc.Length % max.Length != 0)
                throw new ArgumentException($"A partial softmax's {acc.Length} accumulated values do not split into {max.Length} rows.", nameof(acc));
            Acc = acc;
            Max = max;
            Sum = sum;
        }

        public ReadOnlySpan<float> Acc { get; }
        public ReadOnlySpan<float> Max { get; }
        public ReadOnlySpan<float> Sum { get; }
        public int Rows => Max.Length;
        public int HeadDim => Rows == 0 ? 0 : Acc.Length / Rows;

        /// <summary>The accumulated values of row <paramref name="row"/>.</summary>
        public ReadOnlySpan<float> AccRow(int row) => Acc.Slice(row * HeadDim, HeadDim);
    }
}
