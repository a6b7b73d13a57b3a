using System;
using System.Collections.Generic;
using System.Threading.Tasks;

namespace Kvpr
{
    /// <summary>
    /// A weight tensor of seeded random values computed when read, never stored: element i is a hash of (seed, i)
    /// made uniform with the given mean and standard deviation and rounded to fp16. Reading is vectorisable,
    /// parallel and needs no memory beyond the destination, so OPT-13B-sized random models load in seconds.
    /// </summary>
    public sealed class SeededRandomTensor : IWeightTensor
    {
        private const int ChunkElements = 1 << 16;
        private readonly ulong _seed;
        private readonly float _mean, _halfWidth;
        private readonly long _elements;

        public SeededRandomTensor(string name, IReadOnlyList<long> shape, ulong seed, double mean, double standardDeviation)
        {
            Name = name;
            Shape = shape;
            _seed = seed;
            _mean = (float)mean;
            // A uniform on [mean − w, mean + w] has standard deviation w / √3.
            _halfWidth = (float)(standardDeviation * Math.Sqrt(3));
            _elements = 1;
            foreach (long d in shape)
                _elements *= d;
        }

        public string Name { get; }

        public IReadOnlyList<long> Shape { get; }

        public void CopyToSingle(Span<float> destination)
        {
            if (destination.Length != _elements)
                throw new ArgumentException($"Tensor '{Name}' has {_elements} elements, but the destination holds {destination.Length}.", nameof(destination));
            unsafe
            {
                fixed (float* start = destination)
                {
                    float* values = start;
                    int length = destination.Length;
                    Parallel.For(0, (length + ChunkElements - 1) / ChunkElements, chunk =>
                    {
                        int first = chunk * ChunkElements, end = Math.Min(length, first + ChunkElements);
                        for (int i = first; i < end; i++)
                            values[i] = (float)(Half)(_mean + _halfWidth * Uniform(_seed, (ulong)i));
                    });
                }
            }
        }

        /// <summary>A uniform value in [−1, 1) from SplitMix64 of (seed, index): 24 random bits, exact in fp32.</summary>
        private static float Uniform(ulong seed, ulong index)
        {
            ulong z = seed + (index + 1) * 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            return (z >> 40) * (2f / (1 << 24)) - 1f;
        }
    }
}
