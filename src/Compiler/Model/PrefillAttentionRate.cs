namespace Kvpr
{
    /// <summary>
    /// How fast a model's prefill attention runs, as a share of the profile's fp16 GEMM rate. Which kernel a model gets is
    /// decided here, once, for the kernel emitter and the cost model alike: head dims that are multiples of the mma k
    /// step (16) from 64 to 256 run prefill_attention_mma on the tensor cores, others prefill_attention on the CUDA cores.
    /// The shares are measured (OPT-6.7B, batch 32, prompt 1024 in chunks of 256 tokens, 2026-12-06): the mma kernel did
    /// 8.8 TFLOP of causal attention in about 190 ms on an H100 whose cuBLAS ran 750 TFLOP/s (its tiles load without
    /// ldmatrix or cp.async), the CUDA-core kernel in about 1300 ms on an H200 (~7 TFLOP/s).
    /// </summary>
    public static class PrefillAttentionRate
    {
        public const int MinTensorCoreHeadDim = 64, MaxTensorCoreHeadDim = 256, TensorCoreHeadDimStep = 16;

        private const double TensorCoreShare = 0.06, CudaCoreShare = 0.01;

        /// <summary>Whether a model of this head dim runs its prefill attention on the tensor cores.</summary>
        public static bool UsesTensorCores(int headDim) =>
            headDim % TensorCoreHeadDimStep == 0 && headDim >= MinTensorCoreHeadDim && headDim <= MaxTensorCoreHeadDim;

        /// <summary>The share of the GEMM rate that prefill attention of this head dim reaches.</summary>
        public static double ShareOfGemmRate(int headDim) => UsesTensorCores(headDim) ? TensorCoreShare : CudaCoreShare;
    }
}
