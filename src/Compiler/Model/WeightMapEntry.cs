using System.Collections.Generic;
using System.Linq;

namespace Kvpr
{
    /// <summary>
    /// One weight the engine needs: the Hugging Face tensor name, its role (and layer, null for model-level
    /// weights) and its shape. A tied entry (<see cref="TiedTo"/> set) may be absent from a checkpoint: the
    /// engine then reads the named tensor instead.
    /// </summary>
    public sealed record WeightMapEntry(string Name, WeightMapRole Role, int? Layer, IReadOnlyList<int> Shape, string? TiedTo = null)
    {
        /// <summary>Whether a checkpoint must contain this tensor under <see cref="Name"/>.</summary>
        public bool IsRequired => TiedTo is null;

        public long Elements => Shape.Aggregate(1L, (product, dim) => product * dim);

        public string ShapeText => "[" + string.Join(", ", Shape) + "]";

        public bool Equals(WeightMapEntry? other) =>
            other is not null && Name == other.Name && Role == other.Role && Layer == other.Layer
            && TiedTo == other.TiedTo && Shape.SequenceEqual(other.Shape);

        public override int GetHashCode()
        {
            int hash = Name.GetHashCode();
            foreach (int dim in Shape)
                hash = unchecked(hash * 31 + dim);
            return unchecked(hash * 31 + (int)Role);
        }

        public override string ToString() => $"{Name} {ShapeText}" + (TiedTo is null ? "" : $" (tied to {TiedTo})");
    }
}
