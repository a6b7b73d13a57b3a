using System;

namespace Kvpr
{
    /// <summary>The check of a read of part of a tensor's elements, shared by every source that reads parts.</summary>
    internal static class ElementRange
    {
        /// <exception cref="ArgumentOutOfRangeException">[<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>) is not within the tensor's elements.</exception>
        public static void Require(string tensor, long elements, long start, int count)
        {
            if (start < 0 || start > elements - count)
                throw new ArgumentOutOfRangeException(nameof(start), start,
                    $"Tensor '{tensor}' has {elements} elements, so elements {start} to {start + count - 1} cannot be read.");
        }
    }
}
