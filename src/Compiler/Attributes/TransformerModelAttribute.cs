using System;

namespace Kvpr
{
    /// <summary>
    /// Declares a partial class as a transformer model: the Kvpr source generator compiles its plan, execution graphs,
    /// weight map and CUDA kernels at build time and adds <c>Spec</c>, <c>Blueprint</c>, <c>PlanReport</c> and
    /// <c>CreateEngine</c> to the class. Unset properties take the family's defaults (<see cref="ModelSpec.Opt"/>,
    /// <see cref="ModelSpec.Llama"/>, <see cref="ModelSpec.Mistral"/>, <see cref="ModelSpec.Qwen2"/>); <see cref="Layers"/>, <see cref="Hidden"/>, <see cref="Heads"/> and
    /// <see cref="FfnHidden"/> are required.
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
    public sealed class TransformerModelAttribute : Attribute
    {
        public TransformerModelAttribute(Architecture architecture) => Architecture = architecture;

        public Architecture Architecture { get; }
        public int Layers { get; set; }
        public int Hidden { get; set; }
        public int Heads { get; set; }
        /// <summary>Key/value heads for grouped-query attention; defaults to <see cref="Heads"/>.</summary>
        public int KvHeads { get; set; }
        public int FfnHidden { get; set; }
        public int Vocab { get; set; }
        public int MaxPositions { get; set; }
        public double NormEps { get; set; }
        /// <summary>Rotary embedding base (rotary families only).</summary>
        public double RopeTheta { get; set; }
        /// <summary>How RoPE's frequencies are scaled; set the Rope* parameters it uses (<see cref="ModelSpec.RopeScaling"/>).</summary>
        public RopeScaling RopeScaling { get; set; }
        /// <summary>Linear and Llama 3 scaling's factor (rope_scaling.factor).</summary>
        public double RopeScalingFactor { get; set; }
        /// <summary>Llama 3 scaling's low_freq_factor.</summary>
        public double RopeLowFrequencyFactor { get; set; }
        /// <summary>Llama 3 scaling's high_freq_factor.</summary>
        public double RopeHighFrequencyFactor { get; set; }
        /// <summary>Llama 3 scaling's original_max_position_embeddings.</summary>
        public int RopeOriginalMaxPositions { get; set; }
        /// <summary>Tokens a query attends to, itself included; 0 for the whole context. Mistral defaults to 4096.</summary>
        public int SlidingWindow { get; set; }
        /// <summary>Biases on q, k and v (OPT and Qwen2 have them; Llama's attention_bias sets this and <see cref="AttentionOutputBias"/>).</summary>
        public bool AttentionBias { get; set; }
        /// <summary>A bias on the attention's output projection.</summary>
        public bool AttentionOutputBias { get; set; }
        /// <summary>Biases on the MLP's projections.</summary>
        public bool MlpBias { get; set; }
        public bool TiedEmbeddings { get; set; }
        public WeightType WeightType { get; set; }
        /// <summary>The model's name in plans and reports; defaults to the class name.</summary>
        public string? Name { get; set; }
    }
}
