using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Kvpr.Json
{
    /// <summary>
    /// A parsed JSON value that remembers where it sits in its document ("hostToDevice.samples[1].bytes"),
    /// so that a reader can say exactly which field of which file is wrong. Exists because this assembly
    /// runs inside the compiler and may not depend on System.Text.Json.
    /// </summary>
    public sealed class JsonNode
    {
        private readonly object? _value;

        internal JsonNode(JsonKind kind, object? value, string path, string source)
        {
            Kind = kind;
            _value = value;
            Path = path;
            Source = source;
        }

        public JsonKind Kind { get; }

        /// <summary>Location inside the document, e.g. <c>gemm[2].tflops</c>; empty for the root.</summary>
        public string Path { get; }

        /// <summary>The file (or other origin) the document came from, for error messages.</summary>
        public string Source { get; }

        public IReadOnlyList<KeyValuePair<string, JsonNode>> Properties =>
            Kind == JsonKind.Object ? (List<KeyValuePair<string, JsonNode>>)_value! : throw Error("an object");

        public IReadOnlyList<JsonNode> Items => Kind == JsonKind.Array ? (List<JsonNode>)_value! : throw Error("an array");

        public JsonNode? Get(string name)
        {
            foreach (var property in Properties)
                if (property.Key == name)
                    return property.Value;
            return null;
        }

        public JsonNode Required(string name) =>
            Get(name) ?? throw new JsonFormatException(Source, Join(Path, name), "is missing");

        public string AsString() => Kind == JsonKind.String ? (string)_value! : throw Error("a string");

        /// <summary>The number as written; one beyond double's range reads as an infinity, which no range contains.</summary>
        public double AsNumber() => Kind == JsonKind.Number
            ? double.TryParse((string)_value!, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) ? value : double.PositiveInfinity
            : throw Error("a number");

        public long AsLong()
        {
            double value = AsNumber();
            return value == Math.Floor(value) && Math.Abs(value) < 9.0e15 ? (long)value : throw Error("an integer");
        }

        /// <summary>A number inside <paramref name="range"/>; the error quotes the value and the range.</summary>
        public double AsNumberIn(ValueRange range)
        {
            double value = AsNumber();
            return range.Contains(value) ? value : throw OutOfRange(ValueRange.Format(value), range);
        }

        /// <summary>An integer inside <paramref name="range"/>; the error quotes the value and the range.</summary>
        public long AsLongIn(ValueRange range)
        {
            double value = AsNumber();
            if (value != Math.Floor(value))
                throw Error("an integer");
            // Checked as a double, so 1e300 is out of range rather than "not an integer".
            return range.Contains(value) ? (long)value : throw OutOfRange(ValueRange.Format(value), range);
        }

        public int AsInt()
        {
            long value = AsLong();
            return value <= int.MaxValue && value >= int.MinValue ? (int)value : throw Error("a 32-bit integer");
        }

        public bool AsBool() => Kind == JsonKind.Boolean ? (bool)_value! : throw Error("true or false");

        /// <summary>An error about this node, for checks the node's type alone cannot make.</summary>
        public JsonFormatException Invalid(string reason) => new(Source, Path, reason);

        private JsonFormatException OutOfRange(string value, ValueRange range) => new(Source, Path, $"must be in {range}, but is {value}");

        private JsonFormatException Error(string expected) =>
            new(Source, Path, $"must be {expected}, but is {Describe()}");

        private string Describe() => Kind switch
        {
            JsonKind.String => $"the string \"{_value}\"",
            JsonKind.Number => $"the number {_value}",
            JsonKind.Boolean => (bool)_value! ? "true" : "false",
            JsonKind.Null => "null",
            JsonKind.Array => "an array",
            _ => "an object",
        };

        internal static string Join(string path, string name) => path.Length == 0 ? name : path + "." + name;

        public override string ToString() => Kind switch
        {
            JsonKind.Object => "{" + string.Join(",", Properties.Select(p => $"\"{p.Key}\":{p.Value}")) + "}",
            JsonKind.Array => "[" + string.Join(",", Items.Select(i => i.ToString())) + "]",
            JsonKind.String => JsonWriter.Quote((string)_value!),
            JsonKind.Number => (string)_value!,
            JsonKind.Boolean => (bool)_value! ? "true" : "false",
            _ => "null",
        };
    }

    public enum JsonKind { Object, Array, String, Number, Boolean, Null }
}
