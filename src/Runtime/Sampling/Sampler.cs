using System;
using System.Linq;

namespace Kvpr.Sampling
{
    /// <summary>
    /// Picks each sequence's next token. Every sequence draws from its own random stream, seeded from
    /// <see cref="SamplingOptions.Seed"/> and its index, so its tokens do not depend on the batch around it.
    /// Not thread-safe: one sampler per decoding loop.
    /// </summary>
    public sealed class Sampler
    {
        private readonly Random[] _streams;
        private double[] _probabilities = Array.Empty<double>();
        private ulong[] _ranking = Array.Empty<ulong>();

        public Sampler(SamplingOptions options, int sequences)
        {
            var errors = options.Validate();
            if (errors.Count > 0)
                throw new ArgumentException(string.Join(" ", errors.Select(e => e.Message)), nameof(options));
            if (sequences <= 0)
                throw new ArgumentOutOfRangeException(nameof(sequences), sequences, "A sampler serves at least one sequence.");
            Options = options;
            _streams = Enumerable.Range(0, sequences).Select(sequence => new Random(StreamSeed(options.Seed, sequence))).ToArray();
        }

        public SamplingOptions Options { get; }

        /// <summary>The next token of <paramref name="sequence"/> given its logits row.</summary>
        public int Next(int sequence, ReadOnlySpan<float> logits)
        {
            if (Options.IsGreedy)
                return TokenDistribution.ArgMax(logits);
            if (_probabilities.Length != logits.Length)
            {
                _probabilities = new double[logits.Length];
                _ranking = new ulong[logits.Length];
            }
            TokenDistribution.Compute(logits, Options, _probabilities, _ranking);
            return TokenDistribution.Draw(_probabilities, _streams[sequence].NextDouble());
        }

        /// <summary>SplitMix64 of (seed, sequence): neighbouring seeds and sequences get unrelated streams.</summary>
        private static int StreamSeed(int seed, int sequence)
        {
            ulong z = ((ulong)(uint)seed << 32 | (uint)sequence) + 0x9E3779B97F4A7C15ul;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ul;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBul;
            return (int)((z ^ (z >> 31)) & int.MaxValue);
        }
    }
}
