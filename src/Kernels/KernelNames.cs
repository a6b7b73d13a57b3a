namespace Kvpr.Kernels
{
    /// <summary>
    /// Entry-point names of the kernels, by role. Which ones a model's <see cref="KernelSet"/> holds depends on its
    /// architecture (e.g. <see cref="ResidualAddBias"/> only where the model has output biases); the math each
    /// computes for the model is in <see cref="KernelSignature.Description"/> and in docs/kernels.md.
    /// </summary>
    public static class KernelNames
    {
        public const string Embed = "embed";
        public const string Normalize = "normalize";
        public const string QkvEpilogue = "qkv_epilogue";
        public const string KvRecomputeEpilogue = "kv_recompute_epilogue";
        public const string DecodeAttention = "decode_attention";
        public const string AttentionCombine = "attention_combine";
        public const string PrefillAttention = "prefill_attention";
        public const string PrefillAttentionMma = "prefill_attention_mma";
        public const string MlpActivation = "mlp_activation";
        public const string MlpGatedActivation = "mlp_gated_activation";
        public const string ResidualAdd = "residual_add";
        public const string ResidualAddBias = "residual_add_bias";
        public const string Argmax = "argmax";
        public const string Sample = "sample";
    }
}
