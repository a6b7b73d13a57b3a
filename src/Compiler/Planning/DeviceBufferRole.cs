namespace Kvpr.Planning
{
    /// <summary>What a planned device buffer holds (<see cref="PlannedBuffer"/>); the index it comes with says whose.</summary>
    public enum DeviceBufferRole
    {
        /// <summary>Embeddings, positions, final norm and head: uploaded when the engine is built. Index 0.</summary>
        OuterWeights,

        /// <summary>The weights of a layer kept on the GPU. Index = layer.</summary>
        LayerWeights,

        /// <summary>One of the two slots streamed layers' weights are copied into. Index = slot.</summary>
        WeightSlot,

        /// <summary>A micro-batch's fp32 residual stream of its new tokens. Index = micro-batch.</summary>
        Hidden,

        /// <summary>A micro-batch's fp32 logits. Index = micro-batch.</summary>
        Logits,

        /// <summary>K of an offloaded layer's KV slot, [batch][capacity][kvDim]. Index = slot.</summary>
        SlotKeys,

        /// <summary>V of an offloaded layer's KV slot. Index = slot.</summary>
        SlotValues,

        /// <summary>The new tokens' activations X waiting to be written back, [batch][new tokens][hidden]. Index = slot.</summary>
        SlotNewActivations,

        /// <summary>Stored activations of the recomputed prefix, [batch][capacity][hidden]. Index = slot.</summary>
        ActivationSlot,

        /// <summary>Recompute GEMM output [batch·capacity][2·kvDim] before its epilogue writes the KV slot. Index 0.</summary>
        Recomputed,

        /// <summary>K of a KV-resident layer for one micro-batch. Index = layer · micro-batches + micro-batch.</summary>
        ResidentKeys,

        /// <summary>V of a KV-resident layer for one micro-batch. Index as <see cref="ResidentKeys"/>.</summary>
        ResidentValues,

        /// <summary>A KV-resident layer's new-token activations for one micro-batch. Index as <see cref="ResidentKeys"/>.</summary>
        ResidentNewActivations,

        /// <summary>Compute scratch of one micro-batch's new-token rows (the compute stream runs one node at a time). Index 0.</summary>
        Normed,

        /// <summary>Scratch: the Q, K, V projection of the new-token rows. Index 0.</summary>
        Qkv,

        /// <summary>Scratch: fp32 queries. Index 0.</summary>
        Query,

        /// <summary>Scratch: attention output. Index 0.</summary>
        Context,

        /// <summary>Scratch: an output or down projection before its residual add. Index 0.</summary>
        Projected,

        /// <summary>Scratch: the MLP's (activated) intermediate. Index 0.</summary>
        Mlp,

        /// <summary>Scratch: gate and up projections of a gated MLP, [rows][2·ffn]. Index 0.</summary>
        GateUp,

        /// <summary>fp32 partial outputs of split decode attention, [batch][heads][splits][headDim]. Index 0.</summary>
        PartialAccumulators,

        /// <summary>fp32 running maxima of the splits, [batch][heads][splits]. Index 0.</summary>
        PartialMaxima,

        /// <summary>fp32 running sums of the splits. Index 0.</summary>
        PartialSums,

        /// <summary>The batch's greedy token ids (4 bytes each). Index 0.</summary>
        GreedyTokens,

        /// <summary>A micro-batch's input token ids on the device (4 bytes each). Index = micro-batch.</summary>
        TokenIds,
    }
}
