using System;

namespace Kvpr.Kernels
{
    /// <summary>The launch-time sizes a caller knows for one kernel launch; only those the kernel's grid uses need be set.</summary>
    public sealed record LaunchSizes
    {
        public int Rows { get; init; }
        public int Batch { get; init; }
        public int Tokens { get; init; }
        public int Partitions { get; init; }

        /// <summary>The value of <paramref name="variable"/>; throws when it was not set (or is not positive).</summary>
        public int Get(LaunchVariable variable, string kernel)
        {
            int value = variable switch
            {
                LaunchVariable.Rows => Rows,
                LaunchVariable.Batch => Batch,
                LaunchVariable.Tokens => Tokens,
                LaunchVariable.Partitions => Partitions,
                _ => throw new ArgumentOutOfRangeException(nameof(variable), variable, null),
            };
            if (value <= 0)
                throw new ArgumentException($"Kernel '{kernel}' needs a positive {variable} for its grid, but {variable} is {value}.", nameof(variable));
            return value;
        }
    }
}
