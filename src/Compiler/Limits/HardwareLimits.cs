namespace Kvpr
{
    /// <summary>
    /// What a hardware profile may state (docs/hardware-profiles.md): every quantity within a few orders of magnitude
    /// of real machines on either side, so the planner's linear programs stay well-scaled and no figure overflows
    /// when scaled to bytes, FLOPs and seconds.
    /// </summary>
    public static class HardwareLimits
    {
        /// <summary>The profile format's units: GB/s are 10⁹ bytes a second, TFLOP/s 10¹² FLOPs, launches in µs.</summary>
        public const double Giga = 1e9, Tera = 1e12, Micro = 1e-6;

        public static ValueRange MemoryBytes { get; } = new(1 << 20, 1L << 50, "bytes");
        public static ValueRange TransferBytes { get; } = new(1, 1L << 40, "bytes");
        /// <summary>Link and device memory bandwidth in GB/s (10⁹ bytes).</summary>
        public static ValueRange GigabytesPerSecond { get; } = new(1e-3, 1e5, "GB/s");
        /// <summary>GEMM rate in TFLOP/s (10¹²).</summary>
        public static ValueRange Teraflops { get; } = new(1e-3, 1e5, "TFLOP/s");
        public static ValueRange GemmDimension { get; } = new(1, 1 << 24);
        public static ValueRange LaunchMicroseconds { get; } = new(0, 1e4, "µs");
    }
}
