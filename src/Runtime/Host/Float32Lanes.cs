using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Kvpr.Host
{
    /// <summary>fp32 rows: the CPU backend's store.</summary>
    internal readonly unsafe struct Float32Lanes : IStoredLanes
    {
        public static int ElementBytes => sizeof(float);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Load(void* row, int index) => Vector256.Load((float*)row + index);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float LoadScalar(void* row, int index) => ((float*)row)[index];

        public static bool AreFinite(void* r0, void* r1, void* r2, void* r3, int length) => true;
    }
}
