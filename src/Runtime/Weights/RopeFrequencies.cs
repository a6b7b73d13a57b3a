using System;
using System.Collections.Generic;

namespace Kvpr
{
    /// <summary>
    /// RoPE's inverse frequencies (<see cref="RotaryFrequencies"/>) as the derived weight Hugging Face keeps them in,
    /// the rotary embedding's inv_freq buffer, so a backend uploads them like any other tensor.
    /// </summary>
    public sealed class RopeFrequencies : IWeightTensor
    {
        private readonly float[] _frequencies;

        public RopeFrequencies(ModelSpec spec) => _frequencies = RotaryFrequencies.For(spec);

        public string Name => "rotary_emb.inv_freq";

        public IReadOnlyList<long> Shape => new long[] { _frequencies.Length };

        public void CopyToSingle(Span<float> destination)
        {
            if (destination.Length != _frequencies.Length)
                throw new ArgumentException($"{Name} has {_frequencies.Length} elements, but the destination holds {destination.Length}.", nameof(destination));
            _frequencies.CopyTo(destination);
        }
    }
}
