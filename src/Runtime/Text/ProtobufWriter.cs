using System;
using System.Buffers.Binary;
using System.IO;
using System.Text;

namespace Kvpr.Text
{
    /// <summary>The few protocol-buffer encodings a SentencePiece model needs: varints, floats, strings, nested messages.</summary>
    internal sealed class ProtobufWriter
    {
        private readonly MemoryStream _bytes = new();

        public ProtobufWriter Varint(int field, long value)
        {
            Tag(field, 0);
            WriteVarint(unchecked((ulong)value));
            return this;
        }

        public ProtobufWriter Bool(int field, bool value) => Varint(field, value ? 1 : 0);

        public ProtobufWriter Float(int field, float value)
        {
            Tag(field, 5);
            Span<byte> bytes = stackalloc byte[4];
            BinaryPrimitives.WriteSingleLittleEndian(bytes, value);
            _bytes.Write(bytes);
            return this;
        }

        public ProtobufWriter String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

        public ProtobufWriter Message(int field, ProtobufWriter message) => Bytes(field, message.ToArray());

        public byte[] ToArray() => _bytes.ToArray();

        private ProtobufWriter Bytes(int field, byte[] value)
        {
            Tag(field, 2);
            WriteVarint((ulong)value.Length);
            _bytes.Write(value);
            return this;
        }

        private void Tag(int field, int wireType) => WriteVarint((ulong)(field << 3 | wireType));

        private void WriteVarint(ulong value)
        {
            while (value >= 0x80)
            {
                _bytes.WriteByte((byte)(value | 0x80));
                value >>= 7;
            }
            _bytes.WriteByte((byte)value);
        }
    }
}
