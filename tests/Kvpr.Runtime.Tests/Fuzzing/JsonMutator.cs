using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Kvpr.Runtime.Tests.Fuzzing;

/// <summary>
/// Seeded mutations of a JSON document of the kinds people and broken tools produce: flipped bytes, truncation, numbers
/// replaced by extremes, values of the wrong type, deleted keys, duplicated keys and deep nesting. Each mutation
/// describes itself, so a failing case can be reproduced from the test's output.
/// </summary>
internal sealed class JsonMutator(int seed)
{
    private static readonly string[] ExtremeNumbers =
    {
        "0", "-0", "-1", "1e300", "-1e300", "1e-300", "1e400", "1.7976931348623157e308", "2147483647", "2147483648", "-2147483648",
        "4294967296", "9223372036854775807", "9223372036854775808", "18446744073709551616", "1e19", "0.5", "1.0000000001", "NaN",
        "Infinity", "-Infinity", "\"NaN\"", "\"1e300\"", "1e-45", "123456789012345678901234567890",
    };

    private static readonly string[] OtherTypes = { "\"text\"", "\"\"", "true", "false", "null", "[]", "{}", "[1, 2]", "{\"a\": 1}", "[null]", "\"\\u0000\"" };

    private static readonly Regex Number = new(@"-?\d+(\.\d+)?([eE][+-]?\d+)?", RegexOptions.Compiled);
    private static readonly Regex Value = new(@"(?<=:\s*)(""[^""]*""|-?\d[\d.eE+-]*|true|false|null)", RegexOptions.Compiled);
    private static readonly Regex Key = new(@"""[^""]+""\s*:", RegexOptions.Compiled);

    private readonly Random _random = new(seed);

    /// <summary>One to three mutations of <paramref name="json"/>, as bytes, and what was done.</summary>
    public (byte[] Bytes, string Description) Mutate(string json)
    {
        var done = new List<string>();
        int count = 1 + _random.Next(3);
        string text = json;
        byte[]? bytes = null;
        for (int i = 0; i < count; i++)
        {
            if (bytes is null && _random.Next(8) == 0)
            {
                bytes = Encoding.UTF8.GetBytes(text);
                done.Add(FlipBytes(bytes));
                continue;
            }
            if (bytes is not null)
                break;
            (text, string what) = _random.Next(7) switch
            {
                0 => Truncate(text),
                1 or 2 => ReplaceOne(text, Number, ExtremeNumbers, "number"),
                3 => ReplaceOne(text, Value, OtherTypes.Concat(ExtremeNumbers).ToArray(), "value"),
                4 => DeleteKey(text),
                5 => DuplicateKey(text),
                _ => Nest(text),
            };
            done.Add(what);
        }
        return (bytes ?? Encoding.UTF8.GetBytes(text), string.Join("; ", done));
    }

    private string FlipBytes(byte[] bytes)
    {
        int flips = 1 + _random.Next(4);
        var at = new List<int>();
        for (int i = 0; i < flips && bytes.Length > 0; i++)
        {
            int position = _random.Next(bytes.Length);
            bytes[position] ^= (byte)(1 << _random.Next(8));
            at.Add(position);
        }
        return $"flipped a bit at bytes {string.Join(", ", at)}";
    }

    private (string, string) Truncate(string text)
    {
        int length = _random.Next(text.Length);
        return (text.Substring(0, length), $"truncated to {length} characters");
    }

    private (string, string) ReplaceOne(string text, Regex pattern, string[] replacements, string what)
    {
        var matches = pattern.Matches(text);
        if (matches.Count == 0)
            return (text, $"no {what} to replace");
        var match = matches[_random.Next(matches.Count)];
        string replacement = replacements[_random.Next(replacements.Length)];
        return (text.Substring(0, match.Index) + replacement + text.Substring(match.Index + match.Length), $"{what} '{match.Value}' at {match.Index} → {replacement}");
    }

    private (string, string) DeleteKey(string text)
    {
        JsonObject root;
        JsonObject[] objects;
        try
        {
            // JsonObject builds its dictionary lazily: a duplicated key surfaces while walking the tree.
            root = JsonNode.Parse(text) as JsonObject ?? new JsonObject();
            objects = Objects(root).Where(o => o.Count > 0).ToArray();
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or ArgumentException)
        {
            // An earlier mutation broke the document or duplicated a key: there is no tree to delete from.
            return (text, "no key deleted from a document that no longer parses");
        }
        if (objects.Length == 0)
            return (text, "no key to delete");
        var target = objects[_random.Next(objects.Length)];
        string key = target.ElementAt(_random.Next(target.Count)).Key;
        target.Remove(key);
        return (root.ToJsonString(), $"deleted key '{key}'");
    }

    private (string, string) DuplicateKey(string text)
    {
        var matches = Key.Matches(text);
        if (matches.Count == 0)
            return (text, "no key to duplicate");
        var match = matches[_random.Next(matches.Count)];
        return (text.Substring(0, match.Index) + match.Value + " 1, " + text.Substring(match.Index), $"duplicated key {match.Value}");
    }

    private (string, string) Nest(string text)
    {
        var matches = Value.Matches(text);
        if (matches.Count == 0)
            return (text, "no value to nest");
        var match = matches[_random.Next(matches.Count)];
        int depth = _random.Next(2) == 0 ? 70 : 10_000;
        bool arrays = _random.Next(2) == 0;
        string open = arrays ? "[" : "{\"a\":", close = arrays ? "]" : "}";
        string nested = string.Concat(Enumerable.Repeat(open, depth)) + match.Value + string.Concat(Enumerable.Repeat(close, depth));
        return (text.Substring(0, match.Index) + nested + text.Substring(match.Index + match.Length), $"value '{match.Value}' nested {depth} deep in {(arrays ? "arrays" : "objects")}");
    }

    private static IEnumerable<JsonObject> Objects(JsonNode? node) => node switch
    {
        JsonObject o => new[] { o }.Concat(o.SelectMany(p => Objects(p.Value))),
        JsonArray a => a.SelectMany(Objects),
        _ => Enumerable.Empty<JsonObject>(),
    };
}
