using System;
using System.Collections.Generic;

namespace Kvpr
{
    /// <summary>
    /// RoPE's inverse frequencies theta^(−2i/headDim), i &lt; headDim/2, as the derived weight Hugging Face keeps
    /// them in: the rotary embedding's inv_freq buffer, computed in fp32 and cast with the model to its 16-bit
    /// weight type. Rounding them like that buffer is what makes long positions agree with a Hugging Face model
    /// run from its fp16 or bf16 weights (angles drift by position × rounding error otherwise).
    /// </summary>
    public sealed class RopeFrequencies : IWeightTensor
    {
        private readonly ModelSpec _spec;

        public RopeFrequencies(ModelSpec spec)
        {
            if (!(spec.RopeTheta > 0))
                throw new ArgumentException($"Model '{spec.Name}' has no rotary embedding (RopeTheta = {spec.RopeTheta}).", nameof(spec));
            _spec = spec;
        }

        public string Name => "rotary_emb.inv_freq";

        public IReadOnlyList<long> Shape => new long[] { _spec.HeadDim / 2 };

        public void CopyToSingle(Span<float> destination)
        {
            int half = _spec.HeadDim / 2;
            if (destination.Length != half)
                throw new ArgumentException($"{Name} has {half} elements, but the destination holds {destination.Length}.", nameof(destination));
            for (int i = 0; i < half; i++)
            {
                float frequency = 1f / MathF.Pow((float)_spec.RopeTheta, 2f * i / _spec.HeadDim);
                destination[i] = _spec.WeightType == WeightType.Float16 ? (float)(Half)frequency : RoundToBFloat16(frequency);
            }
        }

        // Round to nearest, ties to even, on the upper 16 bits of the fp32.
        private static float RoundToBFloat16(float value)
        {
            int bits = BitConverter.SingleToInt32Bits(value);
            bits += 0x7FFF + ((bits >> 16) & 1);
            return BitConverter.Int32BitsToSingle(bits & unchecked((int)0xFFFF0000));
        }
    }
}
