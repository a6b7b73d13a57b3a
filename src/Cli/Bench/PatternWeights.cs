using System;
using System.Collections.Generic;
using System.Linq;

namespace Kvpr.Cli.Bench
{
    /// <summary>
    /// Weights for timing runs of large models: each value is computed from its index when the device uploads the
    /// tensor, so no host copy of the model is ever held (RandomWeights would hold 13 GB of fp16 for OPT-6.7B and
    /// draw 6.7·10⁹ normal samples). Matrices are uniform in ±0.035 (standard deviation 0.02, Hugging Face's
    /// initialisation), norm scales 1, biases 0: activations stay finite through the layers, and timings do not
    /// depend on the values.
    /// </summary>
    internal static class PatternWeights
    {
        private const float MatrixHalfWidth = 0.035f;

        public static ModelWeights Create(ModelSpec spec, int seed)
        {
            var tensors = WeightMap.For(spec).Entries.Where(e => e.IsRequired).Select((entry, index) => new PatternTensor(
                entry.Name, entry.Shape.Select(d => (long)d).ToArray(), entry.Shape.Count >= 2 ? MatrixHalfWidth : 0,
                IsNormScale(entry.Role) ? 1 : 0, unchecked((uint)seed * 0x9E3779B9u + (uint)index)));
            return ModelWeights.Create(spec, tensors.ToDictionary(t => t.Name, t => (IWeightTensor)t));
        }

        private static bool IsNormScale(WeightMapRole role) =>
            role is WeightMapRole.AttentionNormWeight or WeightMapRole.MlpNormWeight or WeightMapRole.FinalNormWeight;

        private sealed class PatternTensor : IWeightTensor
        {
            private readonly float _halfWidth;
            private readonly float _centre;
            private readonly uint _stream;

            public PatternTensor(string name, long[] shape, float halfWidth, float centre, uint stream)
            {
                Name = name;
                Shape = shape;
                _halfWidth = halfWidth;
                _centre = centre;
                _stream = stream;
            }

            public string Name { get; }

            public IReadOnlyList<long> Shape { get; }

            public void CopyToSingle(Span<float> destination)
            {
                for (int i = 0; i < destination.Length; i++)
                    destination[i] = _centre + _halfWidth * (Mix(_stream, (uint)i) * (2f / uint.MaxValue) - 1f);
            }

            // A cheap integer hash (murmur3's finaliser) of the stream and the index: uniform enough for weights.
            private static uint Mix(uint stream, uint index)
            {
                uint h = index ^ (stream * 0x85EBCA6Bu);
                h ^= h >> 16;
                h *= 0x85EBCA6Bu;
                h ^= h >> 13;
                h *= 0xC2B2AE35u;
                return h ^ (h >> 16);
            }
        }
    }
}
