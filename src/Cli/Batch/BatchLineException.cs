using System;
using System.Text.Json.Nodes;

namespace Kvpr.Cli.Batch
{
    /// <summary>An input line that is not a request the job can run; it becomes an error record and the job goes on.</summary>
    internal sealed class BatchLineException : Exception
    {
        /// <param name="id">The line's id, when it has a usable one.</param>
        /// <param name="reason">What is wrong, to follow "line N ".</param>
        public BatchLineException(JsonNode? id, string reason)
            : base(reason)
        {
            Id = id;
        }

        public JsonNode? Id { get; }
    }
}
