using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Kvpr.Checkpoints
{
    /// <summary>
    /// One tensor of a <see cref="SafetensorsFile"/>: its header entry and views of its bytes in the mapped file.
    /// Spans stay valid until the file is disposed.
    /// </summary>
    public sealed class SafetensorsTensor
    {
        /// <summary>Elements converted per step, so tensors larger than one span convert piece by piece.</summary>
        private const int ConversionChunk = 1 << 24;

        internal SafetensorsTensor(SafetensorsFile file, string name, SafetensorsDType type, IReadOnlyList<long> shape, long dataBegin, long dataEnd)
        {
            File = file;
            Name = name;
            DType = type;
            Shape = shape;
            DataBegin = dataBegin;
            DataEnd = dataEnd;
        }

        public SafetensorsFile File { get; }
        public string Name { get; }
        public SafetensorsDType DType { get; }
        public IReadOnlyList<long> Shape { get; }

        /// <summary>Offsets into the file's data section (after the header), as the header states them.</summary>
        public long DataBegin { get; }
        public long DataEnd { get; }

        public long ByteLength => DataEnd - DataBegin;
        public long ElementCount => Shape.Aggregate(1L, (product, dim) => product * dim);
        public string ShapeText => "[" + string.Join(", ", Shape) + "]";

        /// <summary>The raw little-endian bytes; tensors over 2 GiB must be read through <see cref="CopyToSingle"/>.</summary>
        public ReadOnlySpan<byte> Bytes => File.ReadData(DataBegin, ByteLength, Name);

        /// <summary>
        /// The elements in place as <typeparamref name="T"/>, which must have the dtype's size (Half for F16,
        /// ushort for BF16, long for I64, …): for copying weights on without converting them.
        /// </summary>
        public ReadOnlySpan<T> AsSpan<T>() where T : unmanaged
        {
            if (Unsafe.SizeOf<T>() != DType.ElementBytes())
                throw new ArgumentException($"Tensor '{Name}' has {DType.ElementBytes()}-byte {DType.HeaderName()} elements; {typeof(T).Name} has {Unsafe.SizeOf<T>()} bytes.");
            return MemoryMarshal.Cast<byte, T>(Bytes);
        }

        /// <summary>The elements as float32 (F16, BF16 and F32 tensors).</summary>
        public float[] ToSingleArray()
        {
            RequireElementsFitAnArray();
            var values = new float[ElementCount];
            CopyToSingle(values);
            return values;
        }

        /// <summary>Converts the elements of an F16, BF16 or F32 tensor into <paramref name="destination"/>.</summary>
        public void CopyToSingle(Span<float> destination)
        {
            if (destination.Length != ElementCount)
                throw new ArgumentException($"Tensor '{Name}' has {ElementCount} elements, but the destination holds {destination.Length}.", nameof(destination));
            CopyRangeToSingle(0, destination);
        }

        /// <summary>
        /// Converts elements [<paramref name="start"/>, <paramref name="start"/> + length) of an F16, BF16 or F32 tensor into
        /// <paramref name="destination"/>, reading only their bytes.
        /// </summary>
        public void CopyRangeToSingle(long start, Span<float> destination)
        {
            if (!DType.IsConvertibleToSingle())
                throw Problem($"has dtype {DType.HeaderName()}, which does not convert to float32 (F16, BF16 and F32 do)");
            ElementRange.Require(Name, ElementCount, start, destination.Length);

            int elementBytes = DType.ElementBytes();
            for (int done = 0; done < destination.Length; done += ConversionChunk)
            {
                int count = Math.Min(ConversionChunk, destination.Length - done);
                var source = File.ReadData(DataBegin + (start + done) * elementBytes, (long)count * elementBytes, Name);
                TensorConversion.ToSingle(source, DType, destination.Slice(done, count));
            }
        }

        /// <summary>The index of the first NaN or infinite element of an F16, BF16 or F32 tensor, or -1 when all are finite.</summary>
        public long IndexOfNonFinite()
        {
            if (!DType.IsConvertibleToSingle())
                throw Problem($"has dtype {DType.HeaderName()}, which is not a floating point type (F16, BF16 and F32 are)");
            int elementBytes = DType.ElementBytes();
            for (long done = 0; done < ElementCount; done += ConversionChunk)
            {
                int count = (int)Math.Min(ConversionChunk, ElementCount - done);
                int index = NonFiniteSearch.IndexOf(File.ReadData(DataBegin + done * elementBytes, (long)count * elementBytes, Name), DType);
                if (index >= 0)
                    return done + index;
            }
            return -1;
        }

        /// <summary>The elements of an I64 tensor (token ids in reference files).</summary>
        public long[] ToInt64Array()
        {
            if (DType != SafetensorsDType.I64)
                throw Problem($"has dtype {DType.HeaderName()}, but I64 was expected");
            RequireElementsFitAnArray();
            return AsSpan<long>().ToArray();
        }

        public override string ToString() => $"{Name} {DType.HeaderName()} {ShapeText}";

        private void RequireElementsFitAnArray()
        {
            if (ElementCount > Array.MaxLength)
                throw Problem($"has {ElementCount} elements, more than one .NET array holds; read it in parts with {nameof(CopyToSingle)}");
        }

        private CheckpointException Problem(string problem) =>
            new(ErrorCodes.CheckpointMismatch, File.Path, $"tensor '{Name}' {problem}.");
    }
}
