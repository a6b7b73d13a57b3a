namespace Kvpr.Execution
{
    /// <summary>
    /// Where the stored activations of tokens [start, end) of every sequence lie in an activation slot: dense rows
    /// [sequences][end - start][hidden] from element sequences · start · hidden. One GEMM over all those rows then
    /// recomputes the chunk's K and V (per-sequence GEMMs of end - start rows would waste most of a tile each), and
    /// the chunks a layer's prefix [0, l) is cut into fill the slot back to back without overlapping.
    /// </summary>
    internal readonly record struct ActivationChunk(long Offset, int Sequences, int Tokens)
    {
        public static ActivationChunk For(int sequences, int start, int end, int hidden) =>
            new((long)sequences * start * hidden, sequences, end - start);

        public int Rows => Sequences * Tokens;
    }
}
