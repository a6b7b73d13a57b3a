using System;

namespace Kvpr.Compiler.Tests.Model;

/// <summary>RoPE's inverse frequencies against their closed forms in float64, rounded by .NET's own Half where fp16.</summary>
public class RotaryFrequenciesTests
{
    [Fact]
    public void Plain_frequencies_round_to_fp16_like_half_including_subnormals()
    {
        // Theta 10^6 over head dim 128 takes the last frequencies below fp16's smallest normal (6.1e-5).
        var spec = ModelSpec.Qwen2("qwen", hidden: 1024, layers: 1, heads: 8, kvHeads: 8, ffnHidden: 64, ropeTheta: 1_000_000);

        var frequencies = RotaryFrequencies.For(spec);

        frequencies.Length.ShouldBe(64);
        for (int i = 0; i < frequencies.Length; i++)
            frequencies[i].ShouldBe((float)(Half)Math.Pow(1_000_000, -2.0 * i / 128), $"pair {i}");
    }

    [Fact]
    public void Linear_scaling_divides_every_frequency_by_the_factor()
    {
        var plain = ModelSpec.Llama("linear", hidden: 64, layers: 1, heads: 4, kvHeads: 4, ffnHidden: 64);

        var frequencies = RotaryFrequencies.For(plain with { RopeScaling = RopeScaling.Linear, RopeScalingFactor = 2 });

        for (int i = 0; i < frequencies.Length; i++)
            frequencies[i].ShouldBe((float)(Half)(Math.Pow(10000, -2.0 * i / 16) / 2), $"pair {i}");
    }

    [Fact]
    public void Llama3_scaling_keeps_high_divides_low_and_blends_the_band_between()
    {
        // Original context 64: wavelengths below 64 / 4 = 16 are kept, above 64 / 1 divided by 8, between blended.
        var spec = ModelSpec.Llama("llama3", hidden: 128, layers: 1, heads: 4, kvHeads: 2, ffnHidden: 64, ropeTheta: 10000) with
        {
            RopeScaling = RopeScaling.Llama3, RopeScalingFactor = 8, RopeLowFrequencyFactor = 1, RopeHighFrequencyFactor = 4, RopeOriginalMaxPositions = 64,
            WeightType = WeightType.BFloat16,
        };

        var frequencies = RotaryFrequencies.For(spec);

        int kept = 0, divided = 0, blended = 0;
        for (int i = 0; i < frequencies.Length; i++)
        {
            double frequency = Math.Pow(10000, -2.0 * i / 32), wavelength = 2 * Math.PI / frequency;
            double smooth = (64 / wavelength - 1) / (4 - 1);
            double expected = wavelength < 16 ? frequency : wavelength > 64 ? frequency / 8 : (1 - smooth) * frequency / 8 + smooth * frequency;
            kept += wavelength < 16 ? 1 : 0;
            divided += wavelength > 64 ? 1 : 0;
            blended += wavelength >= 16 && wavelength <= 64 ? 1 : 0;
            // bf16 keeps 8 significant bits: within half a unit in the last place.
            frequencies[i].ShouldBe((float)expected, expected / 256, $"pair {i}");
            (BitConverter.SingleToInt32Bits(frequencies[i]) & 0xFFFF).ShouldBe(0);
        }
        // Pairs 0-1 kept (wavelengths 6.3, 11.2), 2-4 blended, 5-15 divided: every branch is exercised.
        (kept, divided, blended).ShouldBe((2, 11, 3));
    }
}
