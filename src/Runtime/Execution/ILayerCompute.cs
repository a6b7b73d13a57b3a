using System;
using System.Collections.Generic;
using Kvpr.Backend;

namespace Kvpr.Execution
{
    /// <summary>
    /// The compute nodes of a step graph, queued on the stream they are given. A backend implements them as it
    /// likes (op by op on the CPU, fused kernels on CUDA); the copies are <see cref="KvTransfers"/>. A step appends
    /// <c>count</c> new tokens per sequence after the <c>first</c> = s' in the host store: one when decoding, the
    /// whole prompt in prefill. A layer's weights come with each call: a resident layer's or the weight slot it was
    /// streamed into.
    /// </summary>
    internal interface ILayerCompute
    {
        /// <summary>Hidden state of the new tokens: token embedding, plus the learned position for OPT.</summary>
        void Embed(IStream stream, MicroBatch batch, IReadOnlyList<int> tokenIds, int first, int count);

        /// <summary>K and V of tokens [start, end) from their activations in <paramref name="slot"/>: X·W_Kᵀ + b with RoPE, X·W_Vᵀ + b.</summary>
        void RecomputeKv(IStream stream, MicroBatch batch, LayerWeights weights, IDeviceBuffer slot, KvBuffer kv, int start, int end);

        /// <summary>
        /// The first part of a layer's attention for the new tokens: input norm (kept in <paramref name="kv"/> as the
        /// tokens' activations X), Q into the compute's query buffer, and K, V written into <paramref name="kv"/> after
        /// the <paramref name="first"/> stored tokens.
        /// </summary>
        void QkvProjection(IStream stream, MicroBatch batch, LayerWeights weights, KvBuffer kv, int first, int count);

        /// <summary>
        /// CPU attention of one decode step's queries (from <see cref="QkvProjection"/>) over stored tokens [start, end)
        /// of layer <paramref name="layer"/>, read in place from the micro-batch's host store, into the micro-batch's
        /// partial softmax. Queued on the CPU lane's <paramref name="stream"/>: on a GPU the queries cross to the host
        /// first and the CPU work runs when the stream reaches it.
        /// </summary>
        void HostAttention(IStream stream, MicroBatch batch, int layer, int start, int end);

        /// <summary>
        /// The rest of a layer's attention: attention over the tokens in <paramref name="kv"/> — stored tokens
        /// [0, <paramref name="hostStart"/>) and the new ones after the <paramref name="first"/> stored — merged, when
        /// hostStart &lt; first (a decode step), with the CPU's partial softmax over [hostStart, first); output
        /// projection; residual.
        /// </summary>
        void AttentionOutput(IStream stream, MicroBatch batch, LayerWeights weights, KvBuffer kv, int first, int count, int hostStart);

        /// <summary>The MLP half of a layer: norm, up (and gate), activation, down, residual.</summary>
        void MlpBlock(IStream stream, MicroBatch batch, LayerWeights weights, int count);

        /// <summary>
        /// Final norm and LM head into the micro-batch's fp32 logits [batch][rows][vocab]: for the last new token,
        /// or for every new token when <paramref name="allTokens"/> (prefill logits captured for tests).
        /// </summary>
        void FinalNormAndHead(IStream stream, MicroBatch batch, int count, bool allTokens);

        /// <summary>
        /// Each sequence's greedy next token (the first index of its largest last-token logit) into
        /// <paramref name="tokens"/>, once <see cref="FinalNormAndHead"/> has run; waits for <paramref name="stream"/>.
        /// A row holding a NaN or +infinity has no token to pick and gets -1.
        /// </summary>
        void PickGreedy(IStream stream, MicroBatch batch, Span<int> tokens);
    }
}
