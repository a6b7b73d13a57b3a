using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Kvpr.Host
{
    /// <summary>bf16 rows: a bfloat16 is the upper half of a float32's bits, so widening is a zero-extension and a shift.</summary>
    internal readonly unsafe struct BFloat16Lanes : IStoredLanes
    {
        public static int ElementBytes => sizeof(ushort);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Load(void* row, int index) =>
            Avx2.ShiftLeftLogical(Avx2.ConvertToVector256Int32((ushort*)row + index), 16).AsSingle();

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float LoadScalar(void* row, int index) => BitConverter.UInt32BitsToSingle((uint)((ushort*)row)[index] << 16);

        public static bool AreFinite(void* r0, void* r1, void* r2, void* r3, int length) => true;
    }
}
