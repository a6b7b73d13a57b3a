using System;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace Kvpr.Checkpoints
{
    /// <summary>Vectorised conversions of raw little-endian tensor bytes to float32.</summary>
    public static class TensorConversion
    {
        /// <summary>Converts F16, BF16 or F32 <paramref name="source"/> bytes into <paramref name="destination"/> (one float per element).</summary>
        public static void ToSingle(ReadOnlySpan<byte> source, SafetensorsDType type, Span<float> destination)
        {
            if (!type.IsConvertibleToSingle())
                throw new ArgumentException($"{type.HeaderName()} elements do not convert to float32; only F16, BF16 and F32 do.", nameof(type));
            if (source.Length != destination.Length * type.ElementBytes())
                throw new ArgumentException($"{source.Length} bytes of {type.HeaderName()} do not fill {destination.Length} floats.", nameof(destination));

            switch (type)
            {
                case SafetensorsDType.F16:
                    TensorPrimitives.ConvertToSingle(MemoryMarshal.Cast<byte, Half>(source), destination);
                    break;
                case SafetensorsDType.BF16:
                    BFloat16ToSingle(MemoryMarshal.Cast<byte, ushort>(source), MemoryMarshal.Cast<float, uint>(destination));
                    break;
                default:
                    MemoryMarshal.Cast<byte, float>(source).CopyTo(destination);
                    break;
            }
        }

        /// <summary>A bfloat16 is the upper half of a float32's bits.</summary>
        private static void BFloat16ToSingle(ReadOnlySpan<ushort> source, Span<uint> destination)
        {
            int i = 0;
            if (Vector.IsHardwareAccelerated)
            {
                for (; i <= source.Length - Vector<ushort>.Count; i += Vector<ushort>.Count)
                {
                    Vector.Widen(new Vector<ushort>(source.Slice(i)), out var low, out var high);
                    Vector.ShiftLeft(low, 16).CopyTo(destination.Slice(i));
                    Vector.ShiftLeft(high, 16).CopyTo(destination.Slice(i + Vector<uint>.Count));
                }
            }
            for (; i < source.Length; i++)
                destination[i] = (uint)source[i] << 16;
        }
    }
}
