using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Kvpr.Host
{
    /// <summary>
    /// Widens a stored fp16 or bf16 row to fp32 in memory: for a group of query heads that share a KV head, the row is
    /// converted once and read by each of them (the single-head kernels convert in registers instead).
    /// </summary>
    internal static unsafe class HostRowConversion
    {
        /// <summary>Writes <paramref name="count"/> fp32 values of the row at <paramref name="source"/> into <paramref name="destination"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void ToSingle<TLanes>(void* source, float* destination, int count)
            where TLanes : struct, IStoredLanes
        {
            int i = 0;
            if (IStoredLanes.IsHardwareAccelerated)
            {
                for (; i + 8 <= count; i += 8)
                    TLanes.Load(source, i).Store(destination + i);
            }
            for (; i < count; i++)
                destination[i] = TLanes.LoadScalar(source, i);
        }
    }
}
