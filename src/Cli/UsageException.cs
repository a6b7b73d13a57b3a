using System;

namespace Kvpr.Cli
{
    /// <summary>Bad input on the command line: its message is one sentence for the user, printed without a stack trace.</summary>
    internal sealed class UsageException : Exception
    {
        public UsageException(string message)
            : base(message)
        {
        }

        /// <summary>
        /// An argument the library refused, in its own words: without the " (Parameter 'prompts')" that .NET appends, which
        /// names a C# parameter the user never wrote.
        /// </summary>
        public static UsageException From(ArgumentException e) =>
            new(e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", ""));
    }
}
