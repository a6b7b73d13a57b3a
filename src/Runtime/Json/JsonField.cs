using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using Kvpr.Json;

namespace Kvpr.Runtime.Json
{
    /// <summary>
    /// A value of a JSON document read with System.Text.Json, with its file and its path in the document
    /// (<c>rope_scaling.factor</c>, <c>eos_token_id[1]</c>), so that every error names the file, the field, the value and
    /// what was expected. Every read either returns the value asked for or throws <see cref="JsonFieldException"/>.
    /// (The compiler reads hardware profiles with its own reader, Kvpr.Json, since the generator cannot load System.Text.Json.)
    /// </summary>
    internal sealed class JsonField
    {
        private static readonly JsonDocumentOptions Strict = new() { AllowDuplicateProperties = false };

        private JsonField(JsonElement element, string source, string path)
        {
            Element = element;
            Source = source;
            Path = path;
        }

        public JsonElement Element { get; }

        public JsonValueKind Kind => Element.ValueKind;

        /// <summary>The file (or other origin) of the document, for error messages.</summary>
        public string Source { get; }

        /// <summary>Location inside the document, e.g. <c>rope_scaling.factor</c>; empty for the root.</summary>
        public string Path { get; }

        /// <summary>The document in the file at <paramref name="path"/>, read through <see cref="ReadText"/>.</summary>
        public static JsonField ReadFile(string path) => Parse(ReadText(path), path);

        /// <summary>
        /// The text of a JSON (or JSON-lines) file; a directory, a FIFO, a device and a file over
        /// <see cref="JsonFile.MaxBytes"/> are refused before they are opened.
        /// </summary>
        public static string ReadText(string path)
        {
            try
            {
                return JsonFile.ReadText(path);
            }
            catch (JsonFormatException e)
            {
                throw new JsonFieldException(path, "", e.Reason);
            }
        }

        /// <param name="text">The document.</param>
        /// <param name="source">Where it came from (a file, a line of one), quoted in errors.</param>
        public static JsonField Parse(string text, string source)
        {
            JsonElement root;
            try
            {
                using var document = JsonDocument.Parse(text, Strict);
                root = document.RootElement.Clone();
            }
            catch (JsonException e)
            {
                throw new JsonFieldException(source, "", e.LineNumber is long line && e.BytePositionInLine is long position
                    ? $"invalid JSON at line {line + 1}, byte {position + 1}: {WithoutPosition(e.Message)}"
                    : $"invalid JSON: {e.Message}");
            }
            catch (InvalidOperationException)
            {
                // The check for repeated names decodes every name and throws this for one that escapes a lone surrogate.
                throw new JsonFieldException(source, "", LoneSurrogate("has a property name that"));
            }
            var field = new JsonField(root, source, "");
            field.CheckText();
            return field;
        }

        /// <summary>The property <paramref name="name"/>; null when it is absent or null (transformers writes null for unset options).</summary>
        public JsonField? Optional(string name) =>
            Object().TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? new JsonField(value, Source, Join(Path, name)) : null;

        /// <summary>The property <paramref name="name"/>, which may be null (its reader then says what it must be).</summary>
        public JsonField Required(string name) => Object().TryGetProperty(name, out var value)
            ? new JsonField(value, Source, Join(Path, name))
            : throw new JsonFieldException(Source, Join(Path, name), "is missing");

        public IEnumerable<JsonField> Items
        {
            get
            {
                var array = Kind == JsonValueKind.Array ? Element.EnumerateArray() : throw Expected("an array");
                string source = Source, path = Path;
                return array.Select((item, index) => new JsonField(item, source, $"{path}[{index}]"));
            }
        }

        public IEnumerable<KeyValuePair<string, JsonField>> Properties
        {
            get
            {
                var properties = Object().EnumerateObject();
                string source = Source, path = Path;
                return properties.Select(property => new KeyValuePair<string, JsonField>(property.Name, new JsonField(property.Value, source, Join(path, property.Name))));
            }
        }

        public string AsString() => Kind == JsonValueKind.String ? Element.GetString()! : throw Expected("a string");

        public bool AsBool() => Kind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Expected("true or false"),
        };

        /// <summary>The number as written; one beyond double's range reads as an infinity, which no range contains.</summary>
        public double AsNumber() => Kind != JsonValueKind.Number ? throw Expected("a number")
            : Element.TryGetDouble(out double value) ? value
            : Element.GetRawText().StartsWith('-') ? double.NegativeInfinity : double.PositiveInfinity;

        public long AsLong()
        {
            double value = AsNumber();
            return value == Math.Floor(value) && Math.Abs(value) < 9.0e15 ? (long)value : throw Expected("an integer");
        }

        public int AsInt()
        {
            long value = AsLong();
            return value is <= int.MaxValue and >= int.MinValue ? (int)value : throw Expected("a 32-bit integer");
        }

        /// <summary>A number inside <paramref name="range"/>; the error quotes the value and the range.</summary>
        public double AsNumberIn(ValueRange range)
        {
            double value = AsNumber();
            return range.Contains(value) ? value : throw OutOfRange(value, range);
        }

        /// <summary>An integer inside <paramref name="range"/>; the error quotes the value and the range.</summary>
        public long AsLongIn(ValueRange range)
        {
            double value = AsNumber();
            if (value != Math.Floor(value))
                throw Expected("an integer");
            // Checked as a double, so 1e300 is out of range rather than "not an integer".
            return range.Contains(value) ? (long)value : throw OutOfRange(value, range);
        }

        /// <summary>An error about this field, for checks its kind alone cannot make.</summary>
        public JsonFieldException Invalid(string reason) => new(Source, Path, reason);

        private JsonElement Object() => Kind == JsonValueKind.Object ? Element : throw Expected("an object");

        private JsonFieldException OutOfRange(double value, ValueRange range) => Invalid($"must be in {range}, but is {ValueRange.Format(value)}");

        private JsonFieldException Expected(string expected) => Invalid($"must be {expected}, but is {Describe()}");

        private string Describe() => Kind switch
        {
            JsonValueKind.String => $"the string {Element.GetRawText()}",
            JsonValueKind.Number => $"the number {Element.GetRawText()}",
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            JsonValueKind.Null => "null",
            JsonValueKind.Array => "an array",
            _ => "an object",
        };

        /// <summary>
        /// Decodes every string once, where System.Text.Json would only throw on first access: one that escapes a lone
        /// surrogate (<c>"\ud800"</c>) is refused here, by path, so no later read fails on it. Names were decoded by the parse.
        /// </summary>
        private void CheckText()
        {
            switch (Kind)
            {
                case JsonValueKind.String:
                    try
                    {
                        Element.GetString();
                    }
                    catch (InvalidOperationException)
                    {
                        throw Invalid(LoneSurrogate("is text that"));
                    }
                    break;
                case JsonValueKind.Array:
                    foreach (var item in Items)
                        item.CheckText();
                    break;
                case JsonValueKind.Object:
                    foreach (var property in Properties)
                        property.Value.CheckText();
                    break;
            }
        }

        private static string LoneSurrogate(string what) => $"{what} is not valid Unicode (it escapes a lone surrogate)";

        /// <summary>System.Text.Json's reason without the zero-based position it appends; the caller gives it one-based.</summary>
        private static string WithoutPosition(string message)
        {
            int position = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
            return (position < 0 ? message : message.Substring(0, position)).TrimEnd('.');
        }

        private static string Join(string path, string name) => path.Length == 0 ? name : path + "." + name;
    }
}
