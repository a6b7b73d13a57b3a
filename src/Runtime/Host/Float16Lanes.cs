using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Kvpr.Host
{
    /// <summary>
    /// fp16 rows, widened with integer operations (.NET 10 exposes no F16C or AVX512-FP16 conversion): the half's exponent
    /// and mantissa shift into a single's places, one multiply by 2^112 moves the exponent bias from 15 to 127 (exact for
    /// normal and subnormal halves alike), and an all-ones half exponent (inf, NaN) becomes an all-ones single exponent.
    /// </summary>
    internal readonly unsafe struct Float16Lanes : IStoredLanes
    {
        private const int ExponentShift = 13;
        // After the shift of the sign-extended half: the sign bit and the half's 15 exponent and mantissa bits.
        private const int SignAndMagnitude = unchecked((int)0x8FFFE000);
        private const int ShiftedHalfExponent = 0x0F800000;
        private const int SingleExponent = 0x7F800000;
        private const uint BiasScaleBits = (127 + 112) << 23;
        // The magnitude bits of the smallest half with an all-ones exponent (+inf).
        private const ushort FirstNonFinite = 0x7C00;

        public static int ElementBytes => sizeof(short);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Load(void* row, int index)
        {
            Vector256<float> finite = LoadFinite(row, index, out Vector256<int> shifted);
            // The scaling alone would stop at 2^16; inf and NaN keep their all-ones exponent (and NaN its payload).
            Vector256<int> infinityOrNaN = Vector256.Equals(shifted & Vector256.Create(ShiftedHalfExponent), Vector256.Create(ShiftedHalfExponent));
            return (finite.AsInt32() | (infinityOrNaN & Vector256.Create(SingleExponent))).AsSingle();
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float LoadScalar(void* row, int index) => (float)BitConverter.Int16BitsToHalf(((short*)row)[index]);

        /// <summary>No element's exponent is all ones: the rows' largest magnitude, in 16-bit lanes (two operations a 16 elements).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static bool AreFinite(void* r0, void* r1, void* r2, void* r3, int length)
        {
            ushort* h0 = (ushort*)r0, h1 = (ushort*)r1, h2 = (ushort*)r2, h3 = (ushort*)r3;
            var magnitude = Vector256.Create((ushort)0x7FFF);
            var largest = Vector256<ushort>.Zero;
            int i = 0;
            if (IStoredLanes.IsHardwareAccelerated)
            {
                for (; i + Vector256<ushort>.Count <= length; i += Vector256<ushort>.Count)
                {
                    var pairs = Vector256.Max(Vector256.Load(h0 + i) & magnitude, Vector256.Load(h1 + i) & magnitude);
                    largest = Vector256.Max(largest, Vector256.Max(pairs, Vector256.Max(Vector256.Load(h2 + i) & magnitude, Vector256.Load(h3 + i) & magnitude)));
                }
            }
            int scalar = 0;
            for (; i < length; i++)
                scalar = Math.Max(scalar, Math.Max(Math.Max(h0[i] & 0x7FFF, h1[i] & 0x7FFF), Math.Max(h2[i] & 0x7FFF, h3[i] & 0x7FFF)));
            return Vector256.LessThanAll(largest, Vector256.Create(FirstNonFinite)) && scalar < FirstNonFinite;
        }

        /// <summary>
        /// <see cref="Load"/> for finite halves only (an inf or NaN comes out finite); <paramref name="shifted"/> is the half's
        /// sign and magnitude in a single's places, for <see cref="Load"/> to find the all-ones exponents in.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> LoadFinite(void* row, int index, out Vector256<int> shifted)
        {
            // Sign-extending keeps the sign in bit 31 after the shift, so the multiply carries it.
            shifted = Avx2.ShiftLeftLogical(Avx2.ConvertToVector256Int32((short*)row + index), ExponentShift) & Vector256.Create(SignAndMagnitude);
            return shifted.AsSingle() * Vector256.Create(BitConverter.UInt32BitsToSingle(BiasScaleBits));
        }

        /// <summary>
        /// fp16 rows known to hold no inf or NaN (<see cref="AreFinite"/>): the widening without the four operations that
        /// keep an all-ones exponent, about a third of the conversion's work.
        /// </summary>
        internal readonly struct Finite : IStoredLanes
        {
            public static int ElementBytes => sizeof(short);

            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public static Vector256<float> Load(void* row, int index) => LoadFinite(row, index, out _);

            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public static float LoadScalar(void* row, int index) => Float16Lanes.LoadScalar(row, index);

            public static bool AreFinite(void* r0, void* r1, void* r2, void* r3, int length) => true;
        }
    }
}
