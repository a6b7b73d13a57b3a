using System;

namespace Kvpr.Host
{
    /// <summary>
    /// Partial softmax attention of one query per (sequence, head) over some of the tokens: the largest score (natural
    /// units; -infinity over no token), the sum of exp(score − max) and the sum of exp(score − max)·v. Partials over
    /// disjoint token sets merge exactly into attention over their union (the log-sum-exp combine of split-K decoding).
    /// </summary>
    public sealed class AttentionPartials
    {
        public AttentionPartials(int sequences, int heads, int headDim)
            : this(sequences, new float[checked(sequences * heads * headDim)], new float[sequences * heads], new float[sequences * heads])
        {
        }

        /// <summary>Partials in the given arrays: <paramref name="acc"/> [sequences][heads][headDim], the others [sequences][heads].</summary>
        public AttentionPartials(int sequences, float[] acc, float[] max, float[] sum)
        {
            if (max.Length != sum.Length || max.Length == 0 || acc.Length % max.Length != 0 || max.Length % sequences != 0)
                throw new ArgumentException($"Partials of {sequences} sequences need max and sum of one length, a multiple of the sequences, and acc a multiple of that; got acc {acc.Length}, max {max.Length}, sum {sum.Length}.", nameof(acc));
            Sequences = sequences;
            Acc = acc;
            Max = max;
            Sum = sum;
        }

        public int Sequences { get; }

        /// <summary>[sequence][head][headDim]: sum of exp(score − max)·v.</summary>
        public float[] Acc { get; }

        /// <summary>[sequence][head]: the largest score.</summary>
        public float[] Max { get; }

        /// <summary>[sequence][head]: sum of exp(score − max).</summary>
        public float[] Sum { get; }

        /// <summary><paramref name="partials"/> when it holds <paramref name="sequences"/> sequences, else new ones that do.</summary>
        public static AttentionPartials AtLeast(AttentionPartials? partials, int sequences, int heads, int headDim) =>
            partials is not null && partials.Sequences == sequences ? partials : new AttentionPartials(sequences, heads, headDim);

        /// <summary>
        /// Attention over the union of the parts' tokens into <paramref name="output"/> [rows][headDim]:
        /// Σ e^(max_p − M)·acc_p / Σ e^(max_p − M)·sum_p with M the largest max; parts over no token add nothing, and a row
        /// no part has a token for is zero.
        /// </summary>
        public static void Combine(int rows, int headDim, Span<float> output, params AttentionPartials[] parts)
        {
            for (int row = 0; row < rows; row++)
            {
                float overall = float.NegativeInfinity;
                foreach (var part in parts)
                    overall = MathF.Max(overall, part.Max[row]);
                var result = output.Slice(row * headDim, headDim);
                result.Clear();
                float denominator = 0;
                foreach (var part in parts)
                {
                    if (float.IsNegativeInfinity(part.Max[row]))
                        continue;
                    float weight = MathF.Exp(part.Max[row] - overall);
                    denominator += weight * part.Sum[row];
                    var acc = part.Acc.AsSpan(row * headDim, headDim);
                    for (int d = 0; d < headDim; d++)
                        result[d] += weight * acc[d];
                }
                if (denominator > 0)
                    for (int d = 0; d < headDim; d++)
                        result[d] /= denominator;
            }
        }
    }
}
