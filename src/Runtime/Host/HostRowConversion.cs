using System;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Kvpr.Host
{
    /// <summary>
    /// Widens rows of stored fp16 or bf16 K/V to fp32 with vector integer operations (.NET exposes no F16C conversion),
    /// so the conversion costs a few instructions per vector and keeps pace with memory; scalar for the rest of a row.
    /// </summary>
    internal static unsafe class HostRowConversion
    {
        private const int HalfExponentShift = 13;
        // After the shift: the sign bit and the half's 15 exponent and mantissa bits, with the sign-extension between cleared.
        private static readonly Vector<int> SignAndMagnitude = new(unchecked((int)0x8FFFE000));
        private static readonly Vector<int> ShiftedHalfExponent = new(0x0F800000);
        private static readonly Vector<int> SingleExponent = new(0x7F800000);
        // Moves a half's exponent bias (15) to a single's (127); subnormal halves land on subnormal singles and scale exactly.
        private static readonly Vector<float> BiasScale = new(BitConverter.UInt32BitsToSingle((127 + 112) << 23));

        /// <summary>Writes <paramref name="count"/> fp32 values of the row at <paramref name="source"/> into <paramref name="destination"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void ToSingle(void* source, HostElementType element, float* destination, int count)
        {
            switch (element)
            {
                case HostElementType.Float16:
                    FromHalf((short*)source, destination, count);
                    break;
                case HostElementType.BFloat16:
                    FromBFloat16((ushort*)source, destination, count);
                    break;
                default:
                    new ReadOnlySpan<float>(source, count).CopyTo(new Span<float>(destination, count));
                    break;
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void FromHalf(short* source, float* destination, int count)
        {
            int i = 0;
            if (Vector.IsHardwareAccelerated)
            {
                for (; i + Vector<short>.Count <= count; i += Vector<short>.Count)
                {
                    // Sign-extending keeps the sign in bit 31 after the shift, so the multiply below carries it.
                    Vector.Widen(Vector.Load(source + i), out Vector<int> low, out Vector<int> high);
                    HalfBitsToSingle(low).Store(destination + i);
                    HalfBitsToSingle(high).Store(destination + i + Vector<int>.Count);
                }
            }
            for (; i < count; i++)
                destination[i] = (float)BitConverter.Int16BitsToHalf(source[i]);
        }

        // Inlined: a call would pass and return the vectors through memory, which costs more than the conversion.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector<float> HalfBitsToSingle(Vector<int> signExtendedBits)
        {
            Vector<int> shifted = Vector.ShiftLeft(signExtendedBits, HalfExponentShift) & SignAndMagnitude;
            Vector<float> finite = Vector.AsVectorSingle(shifted) * BiasScale;
            // A half exponent of all ones (inf, NaN) must become a single exponent of all ones; the scaling stops at 2^16.
            Vector<int> infinityOrNaN = Vector.Equals(shifted & ShiftedHalfExponent, ShiftedHalfExponent);
            return Vector.AsVectorSingle(Vector.AsVectorInt32(finite) | (infinityOrNaN & SingleExponent));
        }

        /// <summary>A bfloat16 is the upper half of a float32's bits.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void FromBFloat16(ushort* source, float* destination, int count)
        {
            int i = 0;
            if (Vector.IsHardwareAccelerated)
            {
                for (; i + Vector<ushort>.Count <= count; i += Vector<ushort>.Count)
                {
                    Vector.Widen(Vector.Load(source + i), out Vector<uint> low, out Vector<uint> high);
                    Vector.AsVectorSingle(Vector.ShiftLeft(low, 16)).Store(destination + i);
                    Vector.AsVectorSingle(Vector.ShiftLeft(high, 16)).Store(destination + i + Vector<uint>.Count);
                }
            }
            for (; i < count; i++)
                destination[i] = BitConverter.UInt32BitsToSingle((uint)source[i] << 16);
        }
    }
}
