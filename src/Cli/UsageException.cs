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
    }
}
