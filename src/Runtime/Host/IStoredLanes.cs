using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Kvpr.Host
{
    /// <summary>
    /// How one stored element type (fp32, fp16, bf16) widens to fp32: eight lanes at once, in registers, so a kernel converts
    /// a K or V row as it reads it and never stores the fp32 copy; or one element, exactly as .NET converts it.
    /// </summary>
    internal unsafe interface IStoredLanes
    {
        /// <summary>Whether <see cref="Load"/> runs on vector hardware (x86 with AVX2 and FMA); otherwise kernels go element by element.</summary>
        static bool IsHardwareAccelerated => Vector256.IsHardwareAccelerated && Avx2.IsSupported && Fma.IsSupported;

        /// <summary>Bytes of one stored element.</summary>
        static abstract int ElementBytes { get; }

        /// <summary>Elements <paramref name="index"/> to <paramref name="index"/> + 7 of <paramref name="row"/> as fp32.</summary>
        static abstract Vector256<float> Load(void* row, int index);

        /// <summary>Element <paramref name="index"/> of <paramref name="row"/> as fp32.</summary>
        static abstract float LoadScalar(void* row, int index);

        /// <summary>
        /// Whether four rows' first <paramref name="length"/> elements can take the cheaper lanes that widen finite values
        /// only (fp16: no inf or NaN); lanes that widen every value alike (fp32, bf16) say true without reading.
        /// </summary>
        static abstract bool AreFinite(void* r0, void* r1, void* r2, void* r3, int length);
    }
}
