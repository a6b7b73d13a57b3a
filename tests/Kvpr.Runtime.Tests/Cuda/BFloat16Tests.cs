using System;
using System.Runtime.InteropServices;
using Kvpr.Runtime.Cuda.Backend;

namespace Kvpr.Runtime.Tests.Cuda;

public sealed class BFloat16Tests
{
    [Theory]
    [InlineData(1.0f, 0x3F80)]
    [InlineData(-2.0f, 0xC000)]
    [InlineData(1.00390625f, 0x3F80)] // exactly halfway between 1 and the next bf16: ties to even
    [InlineData(1.01171875f, 0x3F82)] // halfway between 0x3F81 and 0x3F82: ties to even
    [InlineData(1.0039064f, 0x3F81)] // one fp32 step above halfway: up
    public void Rounds_to_nearest_even(float value, int expected)
    {
        var bits = new ushort[1];

        BFloat16.Round(new[] { value }, bits);

        bits[0].ShouldBe((ushort)expected);
        Widened(bits).ShouldBe(BitConverter.UInt32BitsToSingle((uint)expected << 16));
    }

    [Fact]
    public void Nan_stays_nan()
    {
        var bits = new ushort[1];

        BFloat16.Round(new[] { float.NaN }, bits);

        float.IsNaN(Widened(bits)).ShouldBeTrue();
    }

    private static float Widened(ushort[] bits)
    {
        var values = new float[1];
        CudaElementType.BFloat16.Widen(MemoryMarshal.AsBytes(bits.AsSpan()), values);
        return values[0];
    }
}
