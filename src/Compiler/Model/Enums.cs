namespace Kvpr
{
    /// <summary>Model families the toolkit compiles.</summary>
    public enum Architecture { Opt, Llama }

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
