using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace Kvpr.Json
{
    /// <summary>
    /// Writes indented JSON with deterministic number formatting (round-trip doubles, invariant culture),
    /// so that exported plans, graphs and profiles are stable for snapshots and diffs.
    /// </summary>
    public sealed class JsonWriter
    {
        private readonly StringBuilder _builder = new();
        private readonly Stack<bool> _hasItems = new();
        private bool _afterName;

        public JsonWriter StartObject() => Open('{');
        public JsonWriter EndObject() => Close('}');
        public JsonWriter StartArray() => Open('[');
        public JsonWriter EndArray() => Close(']');

        public JsonWriter Name(string name)
        {
            BeginValue();
            _builder.Append(Quote(name)).Append(": ");
            _afterName = true;
            return this;
        }

        public JsonWriter Value(string? value) => Raw(value is null ? "null" : Quote(value));
        public JsonWriter Value(bool value) => Raw(value ? "true" : "false");
        public JsonWriter Value(long value) => Raw(value.ToString(CultureInfo.InvariantCulture));
        public JsonWriter Value(double value) => Raw(FormatNumber(value));

        public JsonWriter Property(string name, string? value) => Name(name).Value(value);
        public JsonWriter Property(string name, bool value) => Name(name).Value(value);
        public JsonWriter Property(string name, long value) => Name(name).Value(value);
        public JsonWriter Property(string name, double value) => Name(name).Value(value);

        public override string ToString() => _builder.ToString();

        /// <summary>Shortest text that reads back to the same double; NaN and infinities become null.</summary>
        public static string FormatNumber(double value)
        {
            if (double.IsNaN(value) || double.IsInfinity(value))
                return "null";
            if (value == System.Math.Floor(value) && System.Math.Abs(value) < 1e15)
                return ((long)value).ToString(CultureInfo.InvariantCulture);
            return value.ToString("R", CultureInfo.InvariantCulture);
        }

        public static string Quote(string value)
        {
            var builder = new StringBuilder(value.Length + 2).Append('"');
            foreach (char c in value)
            {
                switch (c)
                {
                    case '"': builder.Append("\\\""); break;
                    case '\\': builder.Append("\\\\"); break;
                    case '\n': builder.Append("\\n"); break;
                    case '\r': builder.Append("\\r"); break;
                    case '\t': builder.Append("\\t"); break;
                    default:
                        if (c < ' ')
                            builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                        else
                            builder.Append(c);
                        break;
                }
            }
            return builder.Append('"').ToString();
        }

        private JsonWriter Raw(string text)
        {
            BeginValue();
            _builder.Append(text);
            return this;
        }

        private JsonWriter Open(char bracket)
        {
            BeginValue();
            _builder.Append(bracket);
            _hasItems.Push(false);
            return this;
        }

        private JsonWriter Close(char bracket)
        {
            bool hadItems = _hasItems.Pop();
            if (hadItems)
                NewLine();
            _builder.Append(bracket);
            return this;
        }

        private void BeginValue()
        {
            if (_afterName)
            {
                _afterName = false;
                return;
            }
            if (_hasItems.Count == 0)
                return;
            if (_hasItems.Peek())
                _builder.Append(',');
            _hasItems.Pop();
            _hasItems.Push(true);
            NewLine();
        }

        private void NewLine() => _builder.Append('\n').Append(' ', 2 * _hasItems.Count);
    }
}
