using System;
using Kvpr.Runtime.Cuda.Backend;

namespace Kvpr.Runtime.Tests.Cuda;

/// <summary>Widening from a reused pinned staging buffer, which may hold more bytes than the values read back.</summary>
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
}
