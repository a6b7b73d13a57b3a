namespace Kvpr.Graphs
{
    /// <summary>
    /// The ordered queue a node runs on. A stream runs its nodes one after another in graph order; nodes on
    /// different streams overlap unless an edge orders them. Transfer streams of the same direction share one
    /// PCIe link (one copy engine), which the simulator models; separate streams still matter because a
    /// stream blocked on a dependency must not hold up the copies queued behind it on another stream.
    /// </summary>
    public enum StreamKind
    {
        /// <summary>GPU kernels: embedding, recompute GEMMs, attention and MLP blocks, the head.</summary>
        Compute,

        /// <summary>Row-by-row: every host→device copy (weights, stored activations, KV), in the order the compute needs them.</summary>
        HostToDevice,

        /// <summary>Row-by-row: the write-back of the new token's activation, K and V to the host store.</summary>
        DeviceToHost,

        /// <summary>Column-by-column: host→device copies of the transferred KV tokens [l, s').</summary>
        KvLoad,

        /// <summary>
        /// Column-by-column: host→device copies of the stored activations X of the recomputed tokens [0, l), and the pieces
        /// of streamed layers' weights between them (<see cref="WeightPieceQueue"/>). The micro-batches' hidden states are not
        /// swapped out: they are batch × hidden elements and stay on the GPU.
        /// </summary>
        ActivationLoad,

        /// <summary>Column-by-column: the write-back of each micro-batch's new token to the host store.</summary>
        Store,

        /// <summary>
        /// The CPU lane (host threads), for layers whose stored tokens the CPU attends to in part: each node copies the
        /// queries down and runs CPU attention next to the host store while the GPU and the link work on.
        /// </summary>
        CpuLane,
    }
}
