using System;

namespace Kvpr
{
    /// <summary>
    /// RoPE's inverse frequencies, i &lt; HeadDim/2, as Hugging Face holds them: the rotary embedding's inv_freq
    /// buffer, computed in fp32 with the same operations (theta^(−2i/d), then the model's <see cref="RopeScaling"/>) and
    /// rounded to the weights' 16-bit type, as the buffer is when a model is cast to its dtype. The rounding is what
    /// makes long positions agree with a model run from its fp16 or bf16 weights: angles drift by position × the
    /// rounding error otherwise. One table serves the CPU ops and the CUDA kernels.
    /// </summary>
    public static class RotaryFrequencies
    {
        public static float[] For(ModelSpec spec)
        {
            if (!(spec.RopeTheta > 0))
                throw new ArgumentException($"Model '{spec.Name}' has no rotary embedding (RopeTheta = {spec.RopeTheta}).", nameof(spec));
            int half = spec.HeadDim / 2;
            var frequencies = new float[half];
            for (int i = 0; i < half; i++)
            {
                float exponent = (float)(2 * i) / spec.HeadDim;
                float frequency = 1f / (float)Math.Pow((float)spec.RopeTheta, exponent);
                frequencies[i] = RoundToWeightType(Scaled(spec, frequency), spec.WeightType);
            }
            return frequencies;
        }

        private static float Scaled(ModelSpec spec, float frequency) => spec.RopeScaling switch
        {
            RopeScaling.Linear => frequency / (float)spec.RopeScalingFactor,
            RopeScaling.Llama3 => Llama3Scaled(spec, frequency),
            _ => frequency,
        };

        /// <summary>
        /// transformers' _compute_llama3_parameters, operation by operation in fp32: wavelengths longer than
        /// original / low_freq_factor are divided by the factor, shorter than original / high_freq_factor kept, and
        /// the band between blends the two by where the wavelength lies in it.
        /// </summary>
        private static float Llama3Scaled(ModelSpec spec, float frequency)
        {
            float factor = (float)spec.RopeScalingFactor, low = (float)spec.RopeLowFrequencyFactor;
            int original = spec.RopeOriginalMaxPositions;
            float lowFrequencyWavelength = (float)((double)original / spec.RopeLowFrequencyFactor);
            float highFrequencyWavelength = (float)((double)original / spec.RopeHighFrequencyFactor);

            // torch evaluates scalar / tensor as reciprocal(tensor) * scalar.
            float wavelength = (1f / frequency) * (float)(2 * Math.PI);
            if (wavelength < highFrequencyWavelength)
                return frequency;
            if (wavelength > lowFrequencyWavelength)
                return frequency / factor;
            // high − low is a Python float there, rounded to fp32 once.
            float smooth = ((1f / wavelength) * original - low) / (float)(spec.RopeHighFrequencyFactor - spec.RopeLowFrequencyFactor);
            return (1f - smooth) * frequency / factor + smooth * frequency;
        }

        private static float RoundToWeightType(float value, WeightType type) => type == WeightType.Float16 ? RoundToHalf(value) : RoundToBFloat16(value);

        /// <summary>To the nearest fp16 value, ties to even, subnormals included (theta 10⁶ gives frequencies below fp16's normal range).</summary>
        private static float RoundToHalf(float value)
        {
            if (value == 0)
                return value;
            int exponent = ((BitConverter.ToInt32(BitConverter.GetBytes(value), 0) >> 23) & 0xFF) - 127;
            // fp16 keeps 10 bits after the leading one, and its subnormals are multiples of 2^-24.
            double spacing = Math.Pow(2, Math.Max(exponent, -14) - 10);
            return (float)(Math.Round(value / spacing, MidpointRounding.ToEven) * spacing);
        }

        /// <summary>To the nearest bf16 value, ties to even, on the upper 16 bits of the fp32.</summary>
        private static float RoundToBFloat16(float value)
        {
            int bits = BitConverter.ToInt32(BitConverter.GetBytes(value), 0);
            bits += 0x7FFF + ((bits >> 16) & 1);
            return BitConverter.ToSingle(BitConverter.GetBytes(bits & unchecked((int)0xFFFF0000)), 0);
        }
    }
}
