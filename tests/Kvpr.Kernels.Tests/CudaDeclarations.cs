using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;

namespace Kvpr.Kernels.Tests;

/// <summary>
/// Reads a CUDA source the way a person would, independently of the emitter: the extern "C" __global__
/// declarations with their parameter lists, and the constexpr constants.
/// </summary>
internal static partial class CudaDeclarations
{
    public sealed record Declaration(string Name, string LaunchBounds, IReadOnlyList<(string Type, string Name)> Parameters);

    public static IReadOnlyList<Declaration> EntryPoints(string source)
    {
        var found = new List<Declaration>();
        foreach (Match m in EntryPoint().Matches(StripComments(source)))
        {
            var parameters = m.Groups["params"].Value.Split(',')
                .Select(p => Regex.Replace(p.Replace("__restrict__", ""), @"\s+", " ").Trim())
                .Where(p => p.Length > 0)
                .Select(p =>
                {
                    int split = p.LastIndexOfAny(new[] { ' ', '*' });
                    return (Type: p[..(split + 1)].Replace(" *", "*").Trim(), Name: p[(split + 1)..]);
                })
                .ToArray();
            found.Add(new Declaration(m.Groups["name"].Value, m.Groups["bounds"].Value, parameters));
        }

        return found;
    }

    /// <summary>Integer constants as written: a literal, or an expression over earlier ones.</summary>
    public static IReadOnlyDictionary<string, long> IntConstants(string source)
    {
        var values = new Dictionary<string, long>();
        foreach (Match m in IntConstant().Matches(source))
            values[m.Groups["name"].Value] = Evaluate(m.Groups["value"].Value, values);
        return values;
    }

    public static IReadOnlyDictionary<string, string> FloatConstants(string source) =>
        FloatConstant().Matches(source).Cast<Match>().ToDictionary(m => m.Groups["name"].Value, m => m.Groups["value"].Value);

    public static string StripComments(string source) => Regex.Replace(source, @"//[^\n]*", "");

    /// <summary>Integer arithmetic as C++ does it (+, -, *, /, % with the usual precedence, parentheses) over literals and earlier constants.</summary>
    private static long Evaluate(string expression, IReadOnlyDictionary<string, long> known)
    {
        var tokens = Regex.Matches(expression, @"\w+|[-+*/%()]").Select(m => m.Value).ToArray();
        int next = 0;
        long Sum()
        {
            long value = Product();
            while (next < tokens.Length && tokens[next] is "+" or "-")
                value = tokens[next++] == "+" ? value + Product() : value - Product();
            return value;
        }
        long Product()
        {
            long value = Atom();
            while (next < tokens.Length && tokens[next] is "*" or "/" or "%")
            {
                string op = tokens[next++];
                long right = Atom();
                value = op == "*" ? value * right : op == "/" ? value / right : value % right;
            }
            return value;
        }
        long Atom()
        {
            string token = tokens[next++];
            if (token != "(")
                return long.TryParse(token, NumberStyles.Integer, CultureInfo.InvariantCulture, out long n) ? n : known[token];
            long value = Sum();
            next++; // ")"
            return value;
        }
        long result = Sum();
        if (next != tokens.Length)
            throw new FormatException($"Unparsed constant expression: {expression}");
        return result;
    }

    [GeneratedRegex(@"extern ""C"" __global__ void __launch_bounds__\((?<bounds>\w+)\) (?<name>\w+)\((?<params>[^)]*)\)\s*\{")]
    private static partial Regex EntryPoint();

    [GeneratedRegex(@"^constexpr int (?<name>\w+) = (?<value>[^;]+);", RegexOptions.Multiline)]
    private static partial Regex IntConstant();

    [GeneratedRegex(@"^constexpr float (?<name>\w+) = (?<value>[^;]+);", RegexOptions.Multiline)]
    private static partial Regex FloatConstant();
}
