namespace Kvpr.Cli.Bench
{
    /// <summary>The ways one workload is decoded in a benchmark run, lettered as in docs/performance.md.</summary>
    internal enum BenchMode
    {
        /// <summary>(a) KV cache and weights resident on the GPU, nothing offloaded: the upper bound where it fits.</summary>
        Resident,

        /// <summary>(b) KV offloaded, l = 0: every stored token's K and V transferred, prefetched a layer ahead (FlexGen-style).</summary>
        TransferAll,

        /// <summary>(c) KV offloaded, the planner's split between recomputed and transferred tokens, no CPU attention.</summary>
        Planned,

        /// <summary>
        /// (e) KV offloaded, the planner's three-way split: recomputed, transferred, and attended to by the CPU in the host
        /// store (<c>--cpu-attention</c>, auto unless it says otherwise). Lettered after (d), Hugging Face's offloaded cache.
        /// </summary>
        CpuAttention = 4,
    }

    internal static class BenchModes
    {
        public static char Letter(this BenchMode mode) => (char)('a' + (int)mode);

        public static string Describe(this BenchMode mode) => mode switch
        {
            BenchMode.Resident => "KV on the GPU",
            BenchMode.TransferAll => "offloaded, l = 0",
            BenchMode.CpuAttention => "offloaded, CPU attention",
            _ => "offloaded, planned split",
        };

        /// <summary>The mode of a letter a, b, c or e; null for any other text.</summary>
        public static BenchMode? FromLetter(string letter) => letter.Trim().ToLowerInvariant() switch
        {
            "a" => BenchMode.Resident,
            "b" => BenchMode.TransferAll,
            "c" => BenchMode.Planned,
            "e" => BenchMode.CpuAttention,
            _ => null,
        };
    }
}
