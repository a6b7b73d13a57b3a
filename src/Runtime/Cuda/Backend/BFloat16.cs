using System;

namespace Kvpr.Runtime.Cuda.Backend
{
    /// <summary>bf16 bit patterns of fp32 values, rounded to nearest even as PyTorch rounds.</summary>
    internal static class BFloat16
    {
        public static void Round(ReadOnlySpan<float> values, Span<ushort> destination)
        {
            for (int i = 0; i < values.Length; i++)
            {
                uint bits = BitConverter.SingleToUInt32Bits(values[i]);
                destination[i] = float.IsNaN(values[i]) ? (ushort)((bits >> 16) | 0x40) : (ushort)((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16);
            }
        }
    }
}
