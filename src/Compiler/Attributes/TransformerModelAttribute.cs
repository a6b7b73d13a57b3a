using System;

namespace Kvpr
{
    /// <summary>
    /// Declares a partial class as a transformer model: the Kvpr source generator compiles its plan, execution graphs,
    /// weight map and CUDA kernels at build time and adds <c>Spec</c>, <c>Blueprint</c>, <c>PlanReport</c> and
    /// <c>CreateEngine</c> to the class. Unset properties take the family's defaults (<see cref="ModelSpec.Opt"/>,
    /// <see cref="ModelSpec.Llama"/>); <see cref="Layers"/>, <see cref="Hidden"/>, <see cref="Heads"/> and
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
        /// <summary>Rotary embedding base (Llama only).</summary>
        public double RopeTheta { get; set; }
        public bool TiedEmbeddings { get; set; }
        public WeightType WeightType { get; set; }
        /// <summary>The model's name in plans and reports; defaults to the class name.</summary>
        public string? Name { get; set; }
    }
}
