using System;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Kvpr.Checkpoints
{
    /// <summary>
    /// Finds NaN and infinity in raw F16, BF16 and F32 elements by their bits: all exponent bits set. Vectorised, so a
    /// scan of a whole checkpoint runs at memory speed.
    /// </summary>
    internal static class NonFiniteSearch
    {
        /// <summary>The index of the first non-finite element of <paramref name="bytes"/>, or -1.</summary>
        public static int IndexOf(ReadOnlySpan<byte> bytes, SafetensorsDType type) => type switch
        {
            SafetensorsDType.F16 => IndexOf(MemoryMarshal.Cast<byte, ushort>(bytes), (ushort)0x7C00),
            SafetensorsDType.BF16 => IndexOf(MemoryMarshal.Cast<byte, ushort>(bytes), (ushort)0x7F80),
            SafetensorsDType.F32 => IndexOf(MemoryMarshal.Cast<byte, uint>(bytes), 0x7F800000u),
            _ => throw new ArgumentException($"{type} elements are not floating point numbers of 16 or 32 bits.", nameof(type)),
        };

        private static int IndexOf<T>(ReadOnlySpan<T> values, T exponent) where T : unmanaged, IBinaryInteger<T>
        {
            var mask = new Vector<T>(exponent);
            int i = 0;
            for (; i <= values.Length - Vector<T>.Count; i += Vector<T>.Count)
                if (Vector.EqualsAny(new Vector<T>(values.Slice(i, Vector<T>.Count)) & mask, mask))
                    break;
            for (; i < values.Length; i++)
                if ((values[i] & exponent) == exponent)
                    return i;
            return -1;
        }
    }
}
