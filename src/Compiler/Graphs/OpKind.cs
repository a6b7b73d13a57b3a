namespace Kvpr.Graphs
{
    /// <summary>
    /// What a node does. Together the ops run a whole decode step: nothing outside the graph is needed
    /// besides the host store (stored X, K, V per layer) and the resident buffers filled at load time and by
    /// prefill. Each op names its inputs and outputs; the node's <see cref="GraphNode.Reads"/> and
    /// <see cref="GraphNode.Writes"/> say which device buffers (and slots) they are.
    /// </summary>
    public enum OpKind
    {
        /// <summary>
        /// In: the micro-batch's new token ids and the position s' (learned positions for OPT, with their offset).
        /// Out: <see cref="BufferKind.Hidden"/> = token embedding (+ position embedding).
        /// </summary>
        Embed,

        /// <summary>In: the layer's weights in host memory. Out: <see cref="BufferKind.WeightSlot"/>. Only for layers whose weights are streamed.</summary>
        LoadWeights,

        /// <summary>
        /// In: the host store's activations X of the node's recompute chunk (tokens of [0, l)).
        /// Out: those rows of <see cref="BufferKind.ActivationSlot"/>.
        /// </summary>
        LoadActivations,

        /// <summary>
        /// In: the chunk's rows of <see cref="BufferKind.ActivationSlot"/> and the layer's weights.
        /// Out: the chunk's rows of K and V in <see cref="BufferKind.KvSlot"/>: X·[W_K; W_V]ᵀ + bias, then RoPE on K for Llama.
        /// </summary>
        RecomputeKv,

        /// <summary>In: the host store's K and V of tokens [l, s'). Out: those rows of <see cref="BufferKind.KvSlot"/>.</summary>
        LoadKv,

        /// <summary>
        /// In: <see cref="BufferKind.Hidden"/>, the layer's weights, K and V of tokens [0, s') (slot or resident cache).
        /// Does: input norm → X of the new token; Q, K, V of the new token (RoPE for Llama); writes the new token's
        /// K and V at row s' of the KV buffer (and X beside them in a slot, for the write-back); attention over the
        /// s'+1 tokens; out projection; residual add.
        /// Out: <see cref="BufferKind.Hidden"/> and the new token's row of the KV buffer.
        /// </summary>
        AttentionBlock,

        /// <summary>
        /// The first half of <see cref="AttentionBlock"/>, for an offloaded layer whose stored tokens the CPU attends to in
        /// part: input norm → X of the new token; Q, K, V of the new token (RoPE for Llama); the new token's K and V at row
        /// s' of the KV slot and X beside them. Out: <see cref="BufferKind.Query"/> and the new token's row of the slot.
        /// Runs before the layer's recompute, so the CPU can start on the queries while the GPU recomputes.
        /// </summary>
        QkvProjection,

        /// <summary>
        /// On the CPU lane: the queries of <see cref="BufferKind.Query"/> copied to the host, then attention over tokens
        /// [l₂, s') read in place from the host store (K and V), as a partial softmax per (sequence, head) in
        /// <see cref="BufferKind.HostPartials"/> (running max, sum of exponentials, weighted V sum).
        /// </summary>
        HostAttention,

        /// <summary>
        /// The second half of <see cref="AttentionBlock"/>: attention of <see cref="BufferKind.Query"/> over the KV slot's
        /// tokens [0, l₂) and the new token, merged with <see cref="BufferKind.HostPartials"/> by the log-sum-exp combine;
        /// out projection; residual add. Out: <see cref="BufferKind.Hidden"/>.
        /// </summary>
        AttentionOutput,

        /// <summary>In: <see cref="BufferKind.Hidden"/> and the layer's weights. Does: post-attention norm → MLP → residual add. Out: <see cref="BufferKind.Hidden"/>.</summary>
        MlpBlock,

        /// <summary>
        /// In: the new token's X, K and V in the <see cref="BufferKind.KvSlot"/>. Out: appended to the host store
        /// (device→host). Layers with resident KV need none: their new token stays in the resident cache.
        /// </summary>
        StoreNewToken,

        /// <summary>
        /// A tensor-parallel rank's graph only (<see cref="ExecutionGraph.Ranks"/> &gt; 1), after each layer's attention and its MLP:
        /// In: <see cref="BufferKind.Hidden"/> of the new tokens, this rank's partial output (the residual owner's with the
        /// residual and the biases). Does: sums it over the ranks, in rank order. Out: <see cref="BufferKind.Hidden"/>, the
        /// same on every rank.
        /// </summary>
        AllReduce,

        /// <summary>In: <see cref="BufferKind.Hidden"/> after the last layer. Does: final norm → lm head. Out: <see cref="BufferKind.Logits"/>.</summary>
        FinalNormAndHead,
    }
}
