using System;
using System.Collections.Generic;
using System.Linq;
using Kvpr.Parallelism;

namespace Kvpr
{
    /// <summary>
    /// Every weight tensor of a model, checked against its spec's <see cref="WeightMap"/>: each expected tensor
    /// present with its expected shape. Device-independent; a device converts them once when an engine is built.
    /// </summary>
    public sealed class ModelWeights
    {
        private readonly Dictionary<(WeightMapRole, int?), IWeightTensor> _tensors;

        private ModelWeights(ModelSpec spec, Dictionary<(WeightMapRole, int?), IWeightTensor> tensors)
        {
            Spec = spec;
            _tensors = tensors;
        }

        public ModelSpec Spec { get; }

        /// <summary>The same tensors under another model name (a checkpoint's spec is named after its folder).</summary>
        public ModelWeights Named(string name) => new(Spec with { Name = name }, _tensors);

        /// <summary>
        /// What rank <paramref name="rank"/> of <paramref name="parallel"/> holds: its rows or columns of the split weights
        /// (<see cref="TensorParallel.SliceOf"/>), the replicated ones as they are, checked against its share's spec.
        /// </summary>
        /// <exception cref="ArgumentException"><paramref name="parallel"/> splits another model.</exception>
        public ModelWeights ShareOf(TensorParallel parallel, int rank)
        {
            if (parallel.Model with { Name = Spec.Name } != Spec)
                throw new ArgumentException($"The split is of {parallel.Model}, but the weights are of {Spec}.", nameof(parallel));
            var tensors = new Dictionary<string, IWeightTensor>();
            foreach (var entry in WeightMap.For(Spec).Entries)
            {
                if (Find(entry.Role, entry.Layer) is not IWeightTensor tensor)
                    continue;
                var slice = parallel.SliceOf(entry.Role, rank);
                // A tied head stays the embedding's own tensor, so a device uploads it once.
                tensors[entry.Name] = slice.IsWhole ? tensor : new SlicedTensor(tensor, slice);
            }
            return Create(parallel.RankSpec, tensors);
        }

        /// <summary>The tensor of <paramref name="role"/> in <paramref name="layer"/> (null for model-level weights).</summary>
        public IWeightTensor Get(WeightMapRole role, int? layer = null) => Find(role, layer)
            ?? throw new KeyNotFoundException($"Model '{Spec.Name}' has no {role} weight" + (layer is int i ? $" in layer {i}." : "."));

        /// <summary>The tensor, or null where the spec has none (the biases of a Llama model).</summary>
        public IWeightTensor? Find(WeightMapRole role, int? layer = null) => _tensors.TryGetValue((role, layer), out var tensor) ? tensor : null;

        /// <summary>
        /// Picks every tensor of the spec's weight map from <paramref name="tensorsByName"/> (Hugging Face
        /// names; a tied entry falls back to the tensor it is tied to). A missing tensor or a wrong shape is an
        /// <see cref="InvalidOperationException"/> naming the tensor.
        /// </summary>
        public static ModelWeights Create(ModelSpec spec, IReadOnlyDictionary<string, IWeightTensor> tensorsByName)
        {
            var specErrors = spec.Validate();
            if (specErrors.Count > 0)
                throw new ArgumentException($"Model '{spec.Name}' is invalid: {string.Join(" ", specErrors)}", nameof(spec));

            var accepted = new Dictionary<(WeightMapRole, int?), IWeightTensor>();
            var problems = new List<string>();
            foreach (var entry in WeightMap.For(spec).Entries)
            {
                if (!tensorsByName.TryGetValue(entry.Name, out var tensor) && !(entry.TiedTo is string tied && tensorsByName.TryGetValue(tied, out tensor)))
                {
                    problems.Add($"tensor '{entry.Name}' {entry.ShapeText} is missing");
                    continue;
                }
                if (!tensor.Shape.SequenceEqual(entry.Shape.Select(d => (long)d)))
                {
                    problems.Add($"tensor '{tensor.Name}' has shape [{string.Join(", ", tensor.Shape)}], expected {entry.ShapeText}");
                    continue;
                }
                accepted.Add((entry.Role, entry.Layer), tensor);
            }
            if (problems.Count > 0)
                throw new InvalidOperationException($"{ErrorCodes.InvalidWeights}: the weights of model '{spec.Name}' do not match it: {string.Join("; ", Checkpoints.ProblemList.Summarise(problems))}.");
            return new ModelWeights(spec, accepted);
        }
    }
}
