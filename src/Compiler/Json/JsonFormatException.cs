using System;

namespace Kvpr.Json
{
    /// <summary>A JSON document that is malformed or does not have the expected shape; names the file and field.</summary>
    public sealed class JsonFormatException : Exception
    {
        public JsonFormatException(string source, string path, string reason)
            : base(path.Length == 0 ? $"{source}: {reason}." : $"{source}: field '{path}' {reason}.")
        {
            Source = source;
            Field = path;
            Reason = reason;
        }

        /// <summary>The file or origin of the document.</summary>
        public new string Source { get; }

        /// <summary>The field at fault, e.g. <c>hostToDevice.samples[0].bytes</c>; empty for the document itself.</summary>
        public string Field { get; }

        public string Reason { get; }
    }
}
