using System;
using System.Collections.Generic;
using System.Linq;

namespace Kvpr.Execution
{
    /// <summary>
    /// How a backend lays one layer's weights out in device tensors: each tensor holds one or more weight roles
    /// stacked row after row (CUDA stacks W_q, W_k, W_v so one GEMM serves a new token). Resident layers, the weight
    /// slots and the host copies of every layer all follow it, so a streamed layer crosses tensor by tensor.
    /// </summary>
    internal sealed class LayerLayout
    {
        private readonly Dictionary<WeightMapRole, int> _indexOfFirstPart = new();

        public LayerLayout(IReadOnlyList<WeightMapRole[]> tensors)
        {
            Tensors = tensors;
            for (int i = 0; i < tensors.Count; i++)
                _indexOfFirstPart.Add(tensors[i][0], i);
        }

        /// <summary>Per tensor, the roles stacked in it, in order.</summary>
        public IReadOnlyList<WeightMapRole[]> Tensors { get; }

        /// <summary>Each of a layer's roles in its own tensor (the CPU backend's unfused ops).</summary>
        public static LayerLayout PerRole { get; } = new(Enumerable.Range((int)WeightMapRole.AttentionNormWeight, WeightMapRole.DownBias - WeightMapRole.AttentionNormWeight + 1)
            .Select(role => new[] { (WeightMapRole)role }).ToArray());

        /// <summary>The index of the tensor whose first part is <paramref name="role"/>.</summary>
        public int IndexOf(WeightMapRole role) => _indexOfFirstPart.TryGetValue(role, out int index) ? index
            : throw new ArgumentException($"No tensor of this layout starts with {role}.", nameof(role));

        /// <summary>
        /// The source tensors of tensor <paramref name="index"/> of <paramref name="layer"/>, or null where the model has
        /// none of them (a Llama bias). Stacked tensors need all of their parts or none.
        /// </summary>
        public IWeightTensor[]? Parts(ModelWeights weights, int layer, int index)
        {
            var parts = Tensors[index].Select(role => weights.Find(role, layer)).ToArray();
            if (parts.All(p => p is null))
                return null;
            if (parts.Any(p => p is null))
                throw new NotSupportedException($"Model '{weights.Spec.Name}' has only some of {string.Join(", ", parts.Where(p => p is not null).Select(p => p!.Name))} " +
                    "and the weights stacked with them; the device keeps them in one tensor, so it needs all or none.");
            return parts!;
        }
    }
}
