using System;
using Kvpr.Runtime.Cuda.Backend;

namespace Kvpr.Runtime.Tests.Cuda;

/// <summary>The element types' bytes against the formats' bit patterns, and widening from a longer staging buffer.</summary>
public sealed class CudaElementTypeTests
{
    [Fact]
    public void Widening_reads_only_the_elements_asked_for_from_a_longer_staging_buffer()
    {
        // Small integers and halves: exact in fp16, bf16 and fp32 alike.
        float[] values = [1f, -2f, 0.5f, 3f, -96f, 0f, 7f];
        foreach (var type in Enum.GetValues<CudaElementType>())
        {
            var staging = new byte[(values.Length + 3) * type.Bytes()];
            Array.Fill(staging, (byte)0xFF);
            type.Narrow(values, staging.AsSpan(0, values.Length * type.Bytes()));
            var back = new float[values.Length];

            type.Widen(staging, back);

            back.ShouldBe(values, $"{type}");
        }
    }

    [Theory]
    // 0.5, -1.75 and 1024 as IEEE binary16, bfloat16 (the top half of binary32) and binary32.
    [InlineData(nameof(CudaElementType.Float16), new uint[] { 0x3800, 0xBF00, 0x6400 })]
    [InlineData(nameof(CudaElementType.BFloat16), new uint[] { 0x3F00, 0xBFE0, 0x4480 })]
    [InlineData(nameof(CudaElementType.Float32), new uint[] { 0x3F000000, 0xBFE00000, 0x44800000 })]
    public void Narrowing_writes_the_formats_bit_patterns_and_widening_reads_them(string typeName, uint[] bits)
    {
        var type = Enum.Parse<CudaElementType>(typeName);
        float[] values = [0.5f, -1.75f, 1024f];
        var bytes = new byte[values.Length * type.Bytes()];

        type.Narrow(values, bytes);

        for (int i = 0; i < values.Length; i++)
        {
            uint written = type.Bytes() == 2 ? BitConverter.ToUInt16(bytes, 2 * i) : BitConverter.ToUInt32(bytes, 4 * i);
            written.ShouldBe(bits[i], $"{type} of {values[i]}");
        }
        var back = new float[values.Length];
        type.Widen(bytes, back);
        back.ShouldBe(values);
    }
}
