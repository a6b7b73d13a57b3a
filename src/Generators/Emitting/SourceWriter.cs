using System;
using System.Collections.Generic;
using System.Text;

namespace Kvpr.Generators.Emitting
{
    /// <summary>Writes C# text line by line with four-space indentation per block.</summary>
    internal sealed class SourceWriter
    {
        private readonly StringBuilder _text = new();
        private int _indent;

        public SourceWriter Line(string line = "")
        {
            if (line.Length > 0)
                _text.Append(' ', _indent * 4).Append(line);
            _text.Append('\n');
            return this;
        }

        /// <summary>Writes <paramref name="header"/>, an opening brace, and indents until the returned scope is disposed.</summary>
        public IDisposable Block(string header, string closing = "}") => Line(header).Indent("{", closing);

        /// <summary>Writes <paramref name="opening"/>, then indents until the returned scope writes <paramref name="closing"/>.</summary>
        public IDisposable Indent(string opening, string closing)
        {
            Line(opening);
            _indent++;
            return new Scope(this, closing);
        }

        /// <summary>
        /// Declares local constants <c>const Type A = Type.A, B = Type.B;</c>, one per line: short names that shadow
        /// anything of the same name in the user's code, so generated code means the same in every project.
        /// </summary>
        public SourceWriter LocalConstants(string qualifiedType, IReadOnlyList<string> members)
        {
            Line($"const {qualifiedType}");
            for (int i = 0; i < members.Count; i++)
                Line($"    {members[i]} = {qualifiedType}.{members[i]}{(i == members.Count - 1 ? ";" : ",")}");
            return this;
        }

        /// <summary>Writes text verbatim (no indentation), e.g. the body of a raw string literal.</summary>
        public SourceWriter Verbatim(string text)
        {
            _text.Append(text);
            return this;
        }

        public override string ToString() => _text.ToString();

        private sealed class Scope : IDisposable
        {
            private readonly SourceWriter _writer;
            private readonly string _closing;

            public Scope(SourceWriter writer, string closing)
            {
                _writer = writer;
                _closing = closing;
            }

            public void Dispose()
            {
                _writer._indent--;
                _writer.Line(_closing);
            }
        }
    }
}
