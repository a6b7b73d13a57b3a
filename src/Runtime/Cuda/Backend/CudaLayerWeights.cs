namespace Kvpr.Runtime.Cuda.Backend
{
    /// <summary>
    /// One layer's weights in the kernels' layout: W_qkv = [W_q; W_k; W_v] stacked so one GEMM serves a new token
    /// (its last 2·kvDim rows, W_kv, serve recompute), and for gated MLPs W_gate_up = [W_gate; W_up]. Biases are
    /// null where the model has none.
    /// </summary>
    internal sealed record CudaLayerWeights(
        CudaTensor AttentionNorm, CudaTensor? AttentionNormBias,
        CudaTensor Qkv, CudaTensor? QkvBias,
        CudaTensor Output, CudaTensor? OutputBias,
        CudaTensor MlpNorm, CudaTensor? MlpNormBias,
        CudaTensor Up, CudaTensor? UpBias,
        CudaTensor Down, CudaTensor? DownBias);
}
