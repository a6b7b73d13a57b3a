namespace Kvpr.Graphs
{
    /// <summary>Which tokens of each sequence a node works on, symbolically, before a step's sizes are known.</summary>
    public enum TokenRangeKind
    {
        /// <summary>No token range: the node's work does not depend on the sequence (weights); never a no-op.</summary>
        None,

        /// <summary>Chunk i of n of the recomputed prefix: [i·⌈l/n⌉, min(l, (i+1)·⌈l/n⌉)).</summary>
        RecomputeChunk,

        /// <summary>The tokens whose K and V are transferred: [l, l₂), where l₂ = s' − (tokens the CPU attends to).</summary>
        Transferred,

        /// <summary>The tokens the CPU attends to, reading K and V in place in the host store: [l₂, s').</summary>
        HostAttended,

        /// <summary>
        /// Every stored token: [0, s'). In a KV slot it is made of the pieces written there (the recomputed prefix and the
        /// transferred tokens); the CPU reads the rest in place.
        /// </summary>
        Stored,

        /// <summary>The token being decoded: [s', s'+1).</summary>
        NewToken,
    }
}
