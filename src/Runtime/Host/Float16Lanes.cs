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

        public static int ElementBytes => sizeof(short);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Load(void* row, int index)
        {
            // Sign-extending keeps the sign in bit 31 after the shift, so the multiply carries it.
            Vector256<int> shifted = Avx2.ShiftLeftLogical(Avx2.ConvertToVector256Int32((short*)row + index), ExponentShift) & Vector256.Create(SignAndMagnitude);
            Vector256<float> finite = shifted.AsSingle() * Vector256.Create(BitConverter.UInt32BitsToSingle(BiasScaleBits));
            // The scaling alone would stop at 2^16; inf and NaN keep their all-ones exponent (and NaN its payload).
            Vector256<int> infinityOrNaN = Vector256.Equals(shifted & Vector256.Create(ShiftedHalfExponent), Vector256.Create(ShiftedHalfExponent));
            return (finite.AsInt32() | (infinityOrNaN & Vector256.Create(SingleExponent))).AsSingle();
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float LoadScalar(void* row, int index) => (float)BitConverter.Int16BitsToHalf(((short*)row)[index]);
    }
}
