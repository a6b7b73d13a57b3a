using System;

namespace Kvpr.Runtime.Cuda
{
    /// <summary>The bounds check of every copy: a clear error naming the buffer instead of a device fault.</summary>
    internal static class BufferCapacity
    {
        public static void Require(long capacity, long bytes, string role)
        {
            if (bytes < 0 || bytes > capacity)
                throw new ArgumentException($"The {role} buffer holds {capacity} bytes, but {bytes} are needed.", role);
        }
    }
}
