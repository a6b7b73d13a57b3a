namespace Kvpr
{
    /// <summary>
    /// Model families the toolkit compiles: OPT, and the rotary families named after their Hugging Face classes
    /// (Llama 2 and 3, Mistral, Qwen2 and 2.5), which differ in biases, sliding windows and their defaults.
    /// </summary>
    public enum Architecture { Opt, Llama, Mistral, Qwen2 }

    /// <summary>How RoPE's frequencies are stretched for contexts longer than the training length (Hugging Face's rope_type).</summary>
    public enum RopeScaling
    {
        /// <summary>Plain RoPE: pair i turns at theta^(−2i/d) per position.</summary>
        None,
        /// <summary>Every frequency divided by the factor (position interpolation).</summary>
        Linear,
        /// <summary>Llama 3.1's scaling: low frequencies divided by the factor, high ones kept, the band between blended.</summary>
        Llama3,
    }

    /// <summary>Normalisation applied before attention and before the MLP.</summary>
    public enum NormKind { LayerNorm, RmsNorm }

    /// <summary>MLP activation; Silu is used gated (Llama's SwiGLU).</summary>
    public enum Activation { Relu, Gelu, Silu }

    /// <summary>Element type of the checkpoint's weights and of the KV cache.</summary>
    public enum WeightType { Float16, BFloat16 }

    /// <summary>What a plan minimises.</summary>
    public enum Objective
    {
        /// <summary>Time of one decode step of one batch (row-by-row schedule).</summary>
        Latency,
        /// <summary>Time per generated token over a group of micro-batches (column-by-column schedule).</summary>
        Throughput,
    }
}
