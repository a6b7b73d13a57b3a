using System.Collections.Generic;
using System.Linq;

namespace Kvpr.Checkpoints
{
    /// <summary>Element types of the safetensors format (the header spells them F16, BF16, F8_E4M3, …).</summary>
    public enum SafetensorsDType { Bool, U8, I8, F8E5M2, F8E4M3, I16, U16, F16, BF16, I32, U32, F32, F64, I64, U64 }

    public static class SafetensorsDTypes
    {
        private static readonly Dictionary<string, (SafetensorsDType Type, int Bytes)> ByName = new()
        {
            ["BOOL"] = (SafetensorsDType.Bool, 1),
            ["U8"] = (SafetensorsDType.U8, 1),
            ["I8"] = (SafetensorsDType.I8, 1),
            ["F8_E5M2"] = (SafetensorsDType.F8E5M2, 1),
            ["F8_E4M3"] = (SafetensorsDType.F8E4M3, 1),
            ["I16"] = (SafetensorsDType.I16, 2),
            ["U16"] = (SafetensorsDType.U16, 2),
            ["F16"] = (SafetensorsDType.F16, 2),
            ["BF16"] = (SafetensorsDType.BF16, 2),
            ["I32"] = (SafetensorsDType.I32, 4),
            ["U32"] = (SafetensorsDType.U32, 4),
            ["F32"] = (SafetensorsDType.F32, 4),
            ["F64"] = (SafetensorsDType.F64, 8),
            ["I64"] = (SafetensorsDType.I64, 8),
            ["U64"] = (SafetensorsDType.U64, 8),
        };

        /// <summary>The header's names, for error messages.</summary>
        public static IEnumerable<string> Names => ByName.Keys;

        public static bool TryParse(string name, out SafetensorsDType type)
        {
            bool known = ByName.TryGetValue(name, out var entry);
            type = entry.Type;
            return known;
        }

        /// <summary>The name the header uses, e.g. F8_E4M3.</summary>
        public static string HeaderName(this SafetensorsDType type) => ByName.First(pair => pair.Value.Type == type).Key;

        public static int ElementBytes(this SafetensorsDType type) => ByName.Values.First(entry => entry.Type == type).Bytes;

        /// <summary>Whether <see cref="TensorConversion.ToSingle"/> reads this type (the weight types of checkpoints).</summary>
        public static bool IsConvertibleToSingle(this SafetensorsDType type) =>
            type is SafetensorsDType.F16 or SafetensorsDType.BF16 or SafetensorsDType.F32;
    }
}
