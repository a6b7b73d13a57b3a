using System;
using System.Numerics.Tensors;

namespace Kvpr.Sampling
{
    /// <summary>Pure functions from a row of logits to the token to emit or the distribution to draw it from.</summary>
    public static class TokenDistribution
    {
        /// <summary>The id of the largest logit, the lowest such id on ties; a NaN or +infinity picks nothing and is refused.</summary>
        public static int ArgMax(ReadOnlySpan<float> logits)
        {
            if (logits.IsEmpty)
                throw new ArgumentException("The logits row is empty.", nameof(logits));
            int best = TensorPrimitives.IndexOfMax(logits);
            return float.IsNaN(logits[best]) || float.IsPositiveInfinity(logits[best])
                ? throw new ArgumentException($"Logit {best} is {logits[best]}.", nameof(logits))
                : best;
        }

        /// <summary>The first logit that is NaN or +infinity, or -1: -infinity rules a token out, these leave none to pick.</summary>
        public static int FirstUnpickable(ReadOnlySpan<float> logits)
        {
            for (int i = 0; i < logits.Length; i++)
                if (float.IsNaN(logits[i]) || float.IsPositiveInfinity(logits[i]))
                    return i;
            return -1;
        }

        /// <summary>
        /// Fills <paramref name="probabilities"/> with the distribution <paramref name="options"/> sample from:
        /// softmax(logits / temperature) over the tokens top-k and top-p keep, renormalised, 0 elsewhere.
        /// Greedy options give probability 1 to the argmax. <paramref name="ranking"/> is scratch of the logits' length.
        /// </summary>
        public static void Compute(ReadOnlySpan<float> logits, SamplingOptions options, Span<double> probabilities, Span<ulong> ranking)
        {
            if (probabilities.Length != logits.Length || ranking.Length != logits.Length)
                throw new ArgumentException($"probabilities and ranking must have the logits' length {logits.Length}.");
            int best = ArgMax(logits);
            if (options.IsGreedy)
            {
                probabilities.Clear();
                probabilities[best] = 1;
                return;
            }

            double max = logits[best];
            if (double.IsNegativeInfinity(max))
                throw new ArgumentException("Every logit is -infinity: no token can be sampled.", nameof(logits));
            for (int i = 0; i < logits.Length; i++)
                probabilities[i] = Math.Exp((logits[i] - max) / options.Temperature);

            bool topK = options.TopK > 0 && options.TopK < logits.Length;
            if (topK || options.TopP < 1)
            {
                Rank(logits, ranking);
                int kept = topK ? options.TopK : logits.Length;
                if (options.TopP < 1)
                    kept = Nucleus(probabilities, ranking.Slice(0, kept), options.TopP);
                foreach (ulong dropped in ranking.Slice(kept))
                    probabilities[TokenOf(dropped)] = 0;
            }
            TensorPrimitives.Divide(probabilities, TensorPrimitives.Sum<double>(probabilities), probabilities);
        }

        /// <summary>
        /// The token whose cumulative probability (in id order) first exceeds <paramref name="uniform"/> ∈ [0, 1).
        /// </summary>
        public static int Draw(ReadOnlySpan<double> probabilities, double uniform)
        {
            double cumulative = 0;
            int last = -1;
            for (int i = 0; i < probabilities.Length; i++)
            {
                if (probabilities[i] <= 0)
                    continue;
                last = i;
                cumulative += probabilities[i];
                if (uniform < cumulative)
                    return i;
            }
            // Rounding can leave the total a hair below 1: such a draw belongs to the last possible token.
            return last >= 0 ? last : throw new ArgumentException("No token has a positive probability.", nameof(probabilities));
        }

        /// <summary>
        /// Sorts the tokens by logit, largest first, ties by lowest id: each key holds the logit's bits mapped
        /// to descending unsigned order in its high half and the id in its low half, so one plain sort ranks them.
        /// </summary>
        private static void Rank(ReadOnlySpan<float> logits, Span<ulong> ranking)
        {
            for (int i = 0; i < logits.Length; i++)
            {
                uint bits = BitConverter.SingleToUInt32Bits(logits[i]);
                uint ascending = (bits & 0x8000_0000u) != 0 ? ~bits : bits | 0x8000_0000u;
                ranking[i] = ((ulong)~ascending << 32) | (uint)i;
            }
            ranking.Sort();
        }

        private static int TokenOf(ulong rankKey) => (int)(rankKey & 0xFFFF_FFFFu);

        /// <summary>How many of the ranked tokens form the smallest prefix whose share of their weight reaches <paramref name="topP"/>.</summary>
        private static int Nucleus(ReadOnlySpan<double> weights, ReadOnlySpan<ulong> ranked, double topP)
        {
            double total = 0;
            foreach (ulong key in ranked)
                total += weights[TokenOf(key)];
            double cumulative = 0;
            for (int rank = 0; rank < ranked.Length; rank++)
            {
                cumulative += weights[TokenOf(ranked[rank])] / total;
                if (cumulative >= topP)
                    return rank + 1;
            }
            return ranked.Length;
        }
    }
}
