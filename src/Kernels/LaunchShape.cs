namespace Kvpr.Kernels
{
    /// <summary>
    /// How a kernel is launched: its grid as a function of launch-time sizes, and a fixed block.
    /// No kernel uses dynamic shared memory, so a launch passes 0 shared bytes.
    /// </summary>
    public sealed record LaunchShape(LaunchExtent GridX, LaunchExtent GridY, LaunchExtent GridZ, int BlockThreads)
    {
        /// <summary>One block per row: grid (rows, 1, 1).</summary>
        public static LaunchShape PerRow(int blockThreads) => new(LaunchExtent.Of(LaunchVariable.Rows), LaunchExtent.Of(1), LaunchExtent.Of(1), blockThreads);

        public Dim3 Grid(LaunchSizes sizes, string kernel) => new(GridX.Evaluate(sizes, kernel), GridY.Evaluate(sizes, kernel), GridZ.Evaluate(sizes, kernel));

        public Dim3 Block => new(BlockThreads, 1, 1);

        public override string ToString() => $"grid ({GridX}, {GridY}, {GridZ}), block {BlockThreads} threads";
    }
}
