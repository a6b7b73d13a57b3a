using System.Collections.Generic;

namespace Kvpr.Backend
{
    /// <summary>
    /// The operations of a decode step, queued on a stream. Matrices are row-major; weights are Hugging Face
    /// Linear weights [out, in]. Every op does nothing for a view without rows, so empty recompute or
    /// transfer ranges need no special cases.
    /// </summary>
    public interface IDeviceOps
    {
        /// <summary>y = x · weightᵀ + bias, with weight [y.Width, x.Width]; x and y have the same rows.</summary>
        void Gemm(IStream stream, DeviceMatrix x, IDeviceBuffer weight, IDeviceBuffer? bias, DeviceMatrix y);

        /// <summary>
        /// The K and V of tokens from their activations, straight into the KV cache views: keys = x·W_Kᵀ + b_K
        /// rotated by <see cref="Rope"/> (keys row (s, t) at position <paramref name="firstPosition"/> + t) when
        /// <paramref name="inverseFrequencies"/> is given, values = x·W_Vᵀ + b_V. One op so that a backend can fuse
        /// the bias, rotation and cache write into the projection's epilogue.
        /// </summary>
        void ProjectKv(IStream stream, DeviceMatrix x, IDeviceBuffer keyWeight, IDeviceBuffer? keyBias, IDeviceBuffer valueWeight, IDeviceBuffer? valueBias,
            DeviceMatrix keys, DeviceMatrix values, int headDim, int firstPosition, IDeviceBuffer? inverseFrequencies);

        /// <summary>y = (x − mean) / sqrt(var + eps) · gamma + beta per row.</summary>
        void LayerNorm(IStream stream, DeviceMatrix x, IDeviceBuffer gamma, IDeviceBuffer beta, DeviceMatrix y, double eps);

        /// <summary>y = x / sqrt(mean(x²) + eps) · gamma per row.</summary>
        void RmsNorm(IStream stream, DeviceMatrix x, IDeviceBuffer gamma, DeviceMatrix y, double eps);

        /// <summary>
        /// Rotary embedding in place, Hugging Face rotate_half convention (pairs (i, i + headDim/2) of every
        /// head rotated by position · inverseFrequencies[i], in fp32); row (s, t) is at position
        /// <paramref name="firstPosition"/> + t.
        /// </summary>
        void Rope(IStream stream, DeviceMatrix x, int headDim, int firstPosition, IDeviceBuffer inverseFrequencies);

        /// <summary>x = act(x) in place.</summary>
        void Activate(IStream stream, DeviceMatrix x, Activation activation);

        /// <summary>gate = act(gate) · up in place: the gated MLP's hidden state.</summary>
        void GatedActivate(IStream stream, DeviceMatrix gate, DeviceMatrix up, Activation activation);

        /// <summary>target += addend (the residual connection).</summary>
        void Add(IStream stream, DeviceMatrix target, DeviceMatrix addend);

        /// <summary>
        /// Scaled dot-product attention of each query row over the keys and values of its sequence. Query
        /// token t of q sits at position keys.Tokens − q.Tokens + t and sees keys [0, that position]: one query
        /// per sequence sees all keys (decode), as many queries as keys is causal attention (prefill).
        /// Query head h uses KV head h / (heads / kvHeads); scores are scaled by 1/sqrt(headDim). A positive
        /// <paramref name="slidingWindow"/> W limits a query at position p to keys (p − W, p] (Mistral); 0 is no limit.
        /// </summary>
        void Attention(IStream stream, DeviceMatrix q, DeviceMatrix keys, DeviceMatrix values, DeviceMatrix output, int heads, int kvHeads, int slidingWindow);

        /// <summary>
        /// output row (s, t) = tokenTable[tokenIds[s · output.Tokens + t]], plus positionTable[firstPosition + t +
        /// positionOffset] when a learned position table is given.
        /// </summary>
        void Embed(IStream stream, IReadOnlyList<int> tokenIds, IDeviceBuffer tokenTable, IDeviceBuffer? positionTable, int firstPosition, int positionOffset, DeviceMatrix output);

    }
}
