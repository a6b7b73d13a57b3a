namespace Kvpr.Graphs
{
    /// <summary>
    /// The device buffers a decode step reads and writes. Slots are double buffers for offloaded layers
    /// (index 0 or 1), so the next layer or micro-batch loads into one slot while the current one computes
    /// from the other. Resident buffers live for the whole generation and are filled outside the step
    /// (weights at load time, resident KV by prefill and by each step's attention).
    /// </summary>
    public enum BufferKind
    {
        /// <summary>A micro-batch's residual stream, [batch, hidden]; index = micro-batch. Stays on the GPU between layers.</summary>
        Hidden,

        /// <summary>A micro-batch's logits, [batch, vocab]; index = micro-batch. The step's output.</summary>
        Logits,

        /// <summary>The weights of a layer kept on the GPU; index = layer. Filled at load time.</summary>
        ResidentWeights,

        /// <summary>
        /// The KV cache of a layer kept on the GPU, one section per micro-batch ([batch][maxLength][kvDim] each for
        /// K and V); index = layer. Filled by prefill; each step's attention appends the new token.
        /// </summary>
        ResidentKv,

        /// <summary>Staging for one streamed layer's weights (the layout of <see cref="ResidentWeights"/>); index = slot.</summary>
        WeightSlot,

        /// <summary>
        /// Staging for one offloaded layer's KV of one micro-batch: K and V of tokens [0, s'+1) — the recomputed
        /// prefix, the transferred rest and the new token — plus the new token's activation X; index = slot.
        /// </summary>
        KvSlot,

        /// <summary>Staging for the stored activations X of the recomputed prefix [0, l) of one micro-batch; index = slot.</summary>
        ActivationSlot,

        /// <summary>The new tokens' queries [batch, heads, headDim] in fp32, scratch of the compute stream; index 0.</summary>
        Query,

        /// <summary>
        /// The CPU's partial softmax of one micro-batch's queries over the tokens it attends to (pinned host memory, copied
        /// up next to the GPU's partitions for the combine); index = micro-batch.
        /// </summary>
        HostPartials,
    }
}
