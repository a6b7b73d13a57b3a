namespace Kvpr.Kernels.Emission
{
    /// <summary>The loop of an elementwise row-tile kernel (<see cref="CudaSourceBuilder.RowTileKernel"/>) over its thread's columns.</summary>
    internal static class RowTileLoop
    {
        /// <summary>
        /// Runs <paramref name="statement"/> with <c>i</c> set to each column of the row that this thread handles, below
        /// <paramref name="width"/>; unrolled, so the thread's loads are in flight together.
        /// </summary>
        public static string Over(string width, string statement) => $$"""
#pragma unroll
for (int e = 0; e < COLUMNS_PER_THREAD; ++e)
{
    const int i = tile_column(e);
    if (i < {{width}})
        {{statement}}
}
""";
    }
}
