using System;
using System.Globalization;
using System.IO;
using System.Linq;

namespace Kvpr.Host
{
    /// <summary>
    /// The host's memory from /proc/meminfo where there is one: the GC's figure is what it allows itself (75% of it in
    /// containers), not what the host store can pin or a probe may fill.
    /// </summary>
    internal static class HostMemoryInfo
    {
        private const string MemInfo = "/proc/meminfo";

        /// <summary>Physical memory (MemTotal).</summary>
        public static long TotalBytes => Read("MemTotal:") ?? GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

        /// <summary>Memory that can be taken without swapping (MemAvailable).</summary>
        public static long AvailableBytes => Read("MemAvailable:") ?? GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

        private static long? Read(string key)
        {
            var line = File.Exists(MemInfo) ? File.ReadLines(MemInfo).FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal)) : null;
            var fields = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return fields is { Length: 3 } && fields[2] == "kB" && long.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out long kib)
                ? kib * 1024
                : null;
        }
    }
}
