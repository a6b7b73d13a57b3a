using System;
using System.Runtime.Intrinsics;
using Kvpr.Host;

namespace Kvpr.Runtime.Tests.Host;

/// <summary>The kernels' widening of stored rows, vector lanes and scalar tail alike, against .NET's own conversions.</summary>
public class StoredLanesTests
{
    [Fact]
    public unsafe void Every_half_widens_as_dotnet_converts_it()
    {
        var halves = EveryHalf(extra: 7);

        var singles = Widen<Float16Lanes>(halves);

        for (int i = 0; i < halves.Length; i++)
        {
            float expected = (float)BitConverter.UInt16BitsToHalf(halves[i]);
            if (float.IsNaN(expected))
                float.IsNaN(singles[i]).ShouldBeTrue($"half 0x{halves[i]:X4}");
            else
                BitConverter.SingleToUInt32Bits(singles[i]).ShouldBe(BitConverter.SingleToUInt32Bits(expected), $"half 0x{halves[i]:X4}");
        }
    }

    /// <summary>The finite-only lanes agree with .NET on every half that is not inf or NaN (its scalar path is .NET's own).</summary>
    [Fact]
    public unsafe void Every_finite_half_widens_as_dotnet_converts_it_without_the_inf_and_nan_fixup()
    {
        var halves = EveryHalf(extra: 0);

        var singles = Widen<Float16Lanes.Finite>(halves);

        for (int i = 0; i < halves.Length; i++)
        {
            float expected = (float)BitConverter.UInt16BitsToHalf(halves[i]);
            if (float.IsFinite(expected))
                BitConverter.SingleToUInt32Bits(singles[i]).ShouldBe(BitConverter.SingleToUInt32Bits(expected), $"half 0x{halves[i]:X4}");
        }
    }

    [Fact]
    public unsafe void A_bfloat16_is_the_upper_half_of_a_float()
    {
        var bits = new ushort[] { 0x3F80, 0xC000, 0x7F80, 0x0001, 0x8000, 0x4049, 0x7FC0, 0xFF80, 0x3F81, 0x0000, 0x1234, 0xABCD, 0x4000, 0x3E00, 0x3D00, 0x3C00, 0x4100 };

        var singles = Widen<BFloat16Lanes>(bits);

        for (int i = 0; i < bits.Length; i++)
            BitConverter.SingleToUInt32Bits(singles[i]).ShouldBe((uint)bits[i] << 16);
    }

    private static ushort[] EveryHalf(int extra)
    {
        var halves = new ushort[65536 + extra];
        for (int i = 0; i < halves.Length; i++)
            halves[i] = (ushort)i;
        return halves;
    }

    /// <summary>The row as the kernels read it: eight lanes at a time where vector hardware is, the rest one by one.</summary>
    private static unsafe float[] Widen<TLanes>(ushort[] row)
        where TLanes : struct, IStoredLanes
    {
        var singles = new float[row.Length];
        fixed (ushort* source = row)
        fixed (float* destination = singles)
        {
            int i = 0;
            if (IStoredLanes.IsHardwareAccelerated)
            {
                for (; i + Vector256<float>.Count <= row.Length; i += Vector256<float>.Count)
                    TLanes.Load(source, i).Store(destination + i);
            }
            for (; i < row.Length; i++)
                destination[i] = TLanes.LoadScalar(source, i);
        }
        return singles;
    }
}
