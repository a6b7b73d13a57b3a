using System;
using System.CommandLine;
using System.Globalization;

namespace Kvpr.Cli
{
    /// <summary>
    /// An option holding a number of bytes, written whole (40000000000) or in exponent form (40e9). Whether the number
    /// suits is the command's to say, in one sentence; text that is no whole number is a parse error.
    /// </summary>
    internal static class ByteOption
    {
        public static Option<long?> Create(string name, string description) => new(name)
        {
            Description = description,
            HelpName = "bytes",
            CustomParser = result =>
            {
                string text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && Math.Abs(value) < long.MaxValue && value == Math.Floor(value))
                    return (long)value;
                result.AddError($"{name} must be a whole number of bytes such as 40000000000 or 40e9, but is '{text}'.");
                return null;
            },
        };
    }
}
