using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace Kvpr.Json
{
    /// <summary>A strict RFC 8259 parser into <see cref="JsonNode"/>; errors give the line and column.</summary>
    public sealed class JsonParser
    {
        private const int MaxDepth = 64;
        private readonly string _text;
        private readonly string _source;
        private int _position;

        private JsonParser(string text, string source)
        {
            _text = text;
            _source = source;
        }

        /// <param name="text">The document.</param>
        /// <param name="source">Where it came from (a file path), quoted in errors.</param>
        public static JsonNode Parse(string text, string source)
        {
            var parser = new JsonParser(text, source);
            parser.SkipWhitespace();
            var root = parser.ParseValue("", 0);
            parser.SkipWhitespace();
            if (parser._position != text.Length)
                throw parser.Error("unexpected text after the end of the document");
            return root;
        }

        private JsonNode ParseValue(string path, int depth)
        {
            if (depth > MaxDepth)
                throw Error($"nesting deeper than {MaxDepth}");
            if (_position >= _text.Length)
                throw Error("unexpected end of the document");
            char c = _text[_position];
            switch (c)
            {
                case '{': return ParseObject(path, depth);
                case '[': return ParseArray(path, depth);
                case '"': return new JsonNode(JsonKind.String, ParseString(), path, _source);
                case 't': Expect("true"); return new JsonNode(JsonKind.Boolean, true, path, _source);
                case 'f': Expect("false"); return new JsonNode(JsonKind.Boolean, false, path, _source);
                case 'n': Expect("null"); return new JsonNode(JsonKind.Null, null, path, _source);
                default:
                    if (c == '-' || (c >= '0' && c <= '9'))
                        return new JsonNode(JsonKind.Number, ParseNumber(), path, _source);
                    throw Error($"unexpected character '{c}'");
            }
        }

        private JsonNode ParseObject(string path, int depth)
        {
            _position++;
            var properties = new List<KeyValuePair<string, JsonNode>>();
            SkipWhitespace();
            if (TryConsume('}'))
                return new JsonNode(JsonKind.Object, properties, path, _source);
            while (true)
            {
                SkipWhitespace();
                if (_position >= _text.Length || _text[_position] != '"')
                    throw Error("expected a property name in double quotes");
                string name = ParseString();
                foreach (var existing in properties)
                    if (existing.Key == name)
                        throw Error($"property '{name}' appears twice");
                SkipWhitespace();
                if (!TryConsume(':'))
                    throw Error("expected ':' after a property name");
                SkipWhitespace();
                properties.Add(new KeyValuePair<string, JsonNode>(name, ParseValue(JsonNode.Join(path, name), depth + 1)));
                SkipWhitespace();
                if (TryConsume('}'))
                    return new JsonNode(JsonKind.Object, properties, path, _source);
                if (!TryConsume(','))
                    throw Error("expected ',' or '}' in an object");
            }
        }

        private JsonNode ParseArray(string path, int depth)
        {
            _position++;
            var items = new List<JsonNode>();
            SkipWhitespace();
            if (TryConsume(']'))
                return new JsonNode(JsonKind.Array, items, path, _source);
            while (true)
            {
                SkipWhitespace();
                items.Add(ParseValue($"{path}[{items.Count}]", depth + 1));
                SkipWhitespace();
                if (TryConsume(']'))
                    return new JsonNode(JsonKind.Array, items, path, _source);
                if (!TryConsume(','))
                    throw Error("expected ',' or ']' in an array");
            }
        }

        private string ParseString()
        {
            _position++;
            var builder = new StringBuilder();
            while (true)
            {
                if (_position >= _text.Length)
                    throw Error("unterminated string");
                char c = _text[_position++];
                if (c == '"')
                    return builder.ToString();
                if (c < ' ')
                    throw Error("control character inside a string");
                if (c != '\\')
                {
                    builder.Append(c);
                    continue;
                }
                if (_position >= _text.Length)
                    throw Error("unterminated escape");
                char escape = _text[_position++];
                switch (escape)
                {
                    case '"': builder.Append('"'); break;
                    case '\\': builder.Append('\\'); break;
                    case '/': builder.Append('/'); break;
                    case 'b': builder.Append('\b'); break;
                    case 'f': builder.Append('\f'); break;
                    case 'n': builder.Append('\n'); break;
                    case 'r': builder.Append('\r'); break;
                    case 't': builder.Append('\t'); break;
                    case 'u':
                        if (_position + 4 > _text.Length || !int.TryParse(_text.Substring(_position, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int code))
                            throw Error("invalid \\u escape");
                        builder.Append((char)code);
                        _position += 4;
                        break;
                    default: throw Error($"invalid escape '\\{escape}'");
                }
            }
        }

        private string ParseNumber()
        {
            int start = _position;
            TryConsume('-');
            if (!ConsumeDigits())
                throw Error("invalid number");
            if (TryConsume('.') && !ConsumeDigits())
                throw Error("invalid number: digits must follow '.'");
            if (_position < _text.Length && (_text[_position] == 'e' || _text[_position] == 'E'))
            {
                _position++;
                if (!TryConsume('+'))
                    TryConsume('-');
                if (!ConsumeDigits())
                    throw Error("invalid number: digits must follow the exponent");
            }
            return _text.Substring(start, _position - start);
        }

        private bool ConsumeDigits()
        {
            int start = _position;
            while (_position < _text.Length && _text[_position] >= '0' && _text[_position] <= '9')
                _position++;
            return _position > start;
        }

        private void Expect(string literal)
        {
            if (string.CompareOrdinal(_text, _position, literal, 0, literal.Length) != 0)
                throw Error($"expected '{literal}'");
            _position += literal.Length;
        }

        private bool TryConsume(char c)
        {
            if (_position < _text.Length && _text[_position] == c)
            {
                _position++;
                return true;
            }
            return false;
        }

        private void SkipWhitespace()
        {
            while (_position < _text.Length && (_text[_position] == ' ' || _text[_position] == '\t' || _text[_position] == '\n' || _text[_position] == '\r'))
                _position++;
        }

        private JsonFormatException Error(string reason)
        {
            int line = 1, column = 1;
            for (int i = 0; i < _position && i < _text.Length; i++)
            {
                if (_text[i] == '\n')
                {
                    line++;
                    column = 1;
                }
                else
                {
                    column++;
                }
            }
            return new JsonFormatException(_source, "", $"invalid JSON at line {line}, column {column}: {reason}");
        }
    }
}
