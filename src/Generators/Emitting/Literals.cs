using System;
using System.Globalization;
using System.Linq;
using System.Text;

namespace Kvpr.Generators.Emitting
{
    /// <summary>C# literals for the values the emitters write, exact and culture-independent.</summary>
    internal static class Literals
    {
        public static string String(string? value)
        {
            if (value is null)
                return "null";
            var text = new StringBuilder("\"");
            foreach (char c in value)
            {
                text.Append(c switch
                {
                    '"' => "\\\"",
                    '\\' => "\\\\",
                    '\n' => "\\n",
                    '\r' => "\\r",
                    '\t' => "\\t",
                    _ when char.IsControl(c) => $"\\u{(int)c:x4}",
                    _ => c.ToString(),
                });
            }
            return text.Append('"').ToString();
        }

        /// <summary>
        /// A C# 11 raw string literal holding <paramref name="text"/> exactly, laid out so it reads as the text itself: the
        /// delimiters on their own lines at column 0 (so no line is trimmed), longer than any run of quotes in the text.
        /// </summary>
        public static string RawString(string text)
        {
            int longestQuotes = 0, run = 0;
            foreach (char c in text)
            {
                run = c == '"' ? run + 1 : 0;
                longestQuotes = Math.Max(longestQuotes, run);
            }
            string quotes = new string('"', Math.Max(3, longestQuotes + 1));
            // The newline before the closing delimiter is not part of the value.
            return quotes + "\n" + text + "\n" + quotes;
        }

        /// <summary>A double that parses back to the same bits ("R" alone can lose the last digit on .NET Framework).</summary>
        public static string Double(double value)
        {
            if (double.IsNaN(value) || double.IsInfinity(value))
                throw new ArgumentOutOfRangeException(nameof(value), value, "Only finite numbers are emitted.");
            string text = value.ToString("R", CultureInfo.InvariantCulture);
            if (double.Parse(text, CultureInfo.InvariantCulture) != value)
                text = value.ToString("G17", CultureInfo.InvariantCulture);
            return text.IndexOfAny(new[] { '.', 'E' }) >= 0 ? text : text + ".0";
        }

        public static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);

        /// <summary>A long with digit separators so that byte counts read at a glance.</summary>
        public static string Long(long value)
        {
            string digits = Math.Abs(value).ToString(CultureInfo.InvariantCulture);
            var groups = Enumerable.Range(0, (digits.Length + 2) / 3)
                .Select(i => digits.Substring(Math.Max(0, digits.Length - 3 * (i + 1)), Math.Min(3, digits.Length - 3 * i)))
                .Reverse();
            return (value < 0 ? "-" : "") + string.Join("_", groups) + "L";
        }

        public static string Bool(bool value) => value ? "true" : "false";

        /// <summary>A named member of a Kvpr enum (the parser has refused undefined values).</summary>
        public static string Enum<T>(T value) where T : struct, System.Enum => $"global::{typeof(T).FullName}.{value}";
    }
}
