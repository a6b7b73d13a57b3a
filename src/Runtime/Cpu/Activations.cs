using System;

namespace Kvpr.Cpu
{
    /// <summary>The MLP activations in fp32; GELU is the exact erf form Hugging Face's "gelu" uses.</summary>
    internal static class Activations
    {
        public static float Apply(Activation activation, float x) => activation switch
        {
            Activation.Relu => x > 0 ? x : 0,
            Activation.Silu => x / (1 + MathF.Exp(-x)),
            Activation.Gelu => (float)(0.5 * x * (1 + Erf(x / Math.Sqrt(2)))),
            _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation."),
        };

        // Abramowitz & Stegun 7.1.26: absolute error below 1.5e-7, under fp32 resolution near 1.
        private static double Erf(double x)
        {
            double sign = Math.Sign(x), a = Math.Abs(x);
            double t = 1 / (1 + 0.3275911 * a);
            double poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
            return sign * (1 - poly * Math.Exp(-a * a));
        }
    }
}
