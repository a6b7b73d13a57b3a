using System;
using System.Collections.Generic;
using Kvpr.Runtime.Json;

namespace Kvpr.Checkpoints
{
    /// <summary>
    /// A checkpoint folder, file or config that cannot be loaded. Lists every problem found, each naming
    /// the tensor or field at fault, so one run tells the user everything to fix; the message lists the first
    /// <see cref="ProblemList.Listed"/> and counts the rest.
    /// </summary>
    public sealed class CheckpointException : Exception
    {
        public CheckpointException(string code, string path, IReadOnlyList<string> problems, Exception? inner = null)
            : base(Format(code, path, problems), inner)
        {
            Code = code;
            Path = path;
            Problems = problems;
        }

        public CheckpointException(string code, string path, string problem, Exception? inner = null)
            : this(code, path, new[] { problem }, inner)
        {
        }

        /// <summary>One of <see cref="ErrorCodes"/>.</summary>
        public string Code { get; }

        /// <summary>The folder or file at fault.</summary>
        public string Path { get; }

        public IReadOnlyList<string> Problems { get; }

        /// <summary>A JSON file of the checkpoint that is malformed or has a field the toolkit refuses.</summary>
        internal static CheckpointException FromJson(string code, JsonFieldException e) =>
            new(code, e.Source, e.Field.Length == 0 ? e.Reason + "." : $"field '{e.Field}' {e.Reason}.", e);


        private static string Format(string code, string path, IReadOnlyList<string> problems) => problems.Count == 1
            ? $"{code}: {path}: {problems[0]}"
            : $"{code}: {path}: {problems.Count} problems:{Environment.NewLine}  " + string.Join(Environment.NewLine + "  ", ProblemList.Summarise(problems));
    }
}
