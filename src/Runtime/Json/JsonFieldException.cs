using System;

namespace Kvpr.Runtime.Json
{
    /// <summary>
    /// A JSON file that is malformed or has a field of the wrong kind or outside its range; names the file and the
    /// field's path. Readers turn it into their own error (<see cref="Kvpr.Checkpoints.CheckpointException"/>, the
    /// tool's usage errors).
    /// </summary>
    internal sealed class JsonFieldException : Exception
    {
        public JsonFieldException(string source, string field, string reason)
            : base(field.Length == 0 ? $"{source}: {reason}." : $"{source}: field '{field}' {reason}.")
        {
            Source = source;
            Field = field;
            Reason = reason;
        }

        /// <summary>The file (or other origin) of the document.</summary>
        public new string Source { get; }

        /// <summary>The field at fault, e.g. <c>rope_scaling.factor</c>; empty for the document itself.</summary>
        public string Field { get; }

        public string Reason { get; }
    }
}
