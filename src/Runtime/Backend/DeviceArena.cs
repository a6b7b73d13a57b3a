using System;
using System.Collections.Generic;
using Kvpr.Planning;

namespace Kvpr.Backend
{
    /// <summary>
    /// Carves one block of device memory into buffers, front to back, each starting at a multiple of
    /// <see cref="DeviceBufferList.AlignmentBytes"/>: a generation's planned buffers are one allocation instead of
    /// hundreds (cuMemAlloc rounds each to 2 MiB pages), and nothing carved is freed on its own: the block goes with
    /// its generation's scope.
    /// </summary>
    public sealed class DeviceArena
    {
        public DeviceArena(long capacityBytes)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(capacityBytes);
            CapacityBytes = capacityBytes;
        }

        /// <summary>Bytes of a block that holds <paramref name="allocations"/> (bytes each), carved in any order.</summary>
        public static long BytesFor(IEnumerable<long> allocations)
        {
            long total = 0;
            foreach (long bytes in allocations)
                total = checked(total + DeviceBufferList.Aligned(Math.Max(1, bytes)));
            return total;
        }

        public long CapacityBytes { get; }

        /// <summary>Bytes carved so far, alignment included.</summary>
        public long UsedBytes { get; private set; }

        /// <summary>The offset of a new buffer of <paramref name="bytes"/> (at least one), or null where the block has no room left.</summary>
        public long? TryTake(long bytes)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(bytes);
            long taken = DeviceBufferList.Aligned(Math.Max(1, bytes));
            if (taken > CapacityBytes - UsedBytes)
                return null;
            long offset = UsedBytes;
            UsedBytes += taken;
            return offset;
        }
    }
}
