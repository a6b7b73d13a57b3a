using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Kvpr.Checkpoints;

namespace Kvpr
{
    /// <summary>The weights of a model read from a Hugging Face checkpoint.</summary>
    public static class CheckpointWeights
    {
        /// <summary>
        /// Every weight <paramref name="spec"/> needs, from <paramref name="checkpoint"/>, after checking names,
        /// shapes and dtypes (a <see cref="CheckpointException"/> lists every problem). The tensors are read when
        /// an engine is built from them, so keep the checkpoint open until then.
        /// </summary>
        public static ModelWeights Load(Checkpoint checkpoint, ModelSpec spec)
        {
            var map = WeightMap.For(spec);
            checkpoint.Validate(map);
            var tensors = new Dictionary<string, IWeightTensor>();
            foreach (var entry in map.Entries)
            {
                string name = entry.TiedTo is string tied && !checkpoint.TryGetTensor(entry.Name, out _) ? tied : entry.Name;
                if (checkpoint.TryGetTensor(name, out var tensor))
                    tensors[name] = new SafetensorsWeight(tensor);
            }
            return ModelWeights.Create(spec, tensors);
        }

        /// <summary>
        /// Scans every tensor <paramref name="spec"/> loads from <paramref name="checkpoint"/> for NaN and infinity (in
        /// parallel, at memory speed); a <see cref="CheckpointException"/> names each tensor holding one and its first such
        /// element. Worth running once on a checkpoint whose generation fails with <see cref="InvalidLogitsException"/>.
        /// </summary>
        public static void CheckFinite(Checkpoint checkpoint, ModelSpec spec)
        {
            checkpoint.Validate(WeightMap.For(spec));
            var tensors = WeightMap.For(spec).Entries
                .Select(entry => checkpoint.TryGetTensor(entry.Name, out var tensor) ? tensor : null)
                .OfType<SafetensorsTensor>().Distinct().ToArray();
            var firstBad = new long[tensors.Length];
            Parallel.For(0, tensors.Length, i => firstBad[i] = tensors[i].IndexOfNonFinite());
            var problems = tensors.Select((tensor, i) => (tensor, index: firstBad[i]))
                .Where(t => t.index >= 0)
                .Select(t => $"tensor '{t.tensor.Name}' {t.tensor.ShapeText} holds {Describe(t.tensor, t.index)} at element {t.index} ({Position(t.tensor.Shape, t.index)}).")
                .ToArray();
            if (problems.Length > 0)
                throw new CheckpointException(ErrorCodes.InvalidWeights, checkpoint.Folder, problems);
        }

        private static string Describe(SafetensorsTensor tensor, long index)
        {
            var value = new float[1];
            int bytes = tensor.DType.ElementBytes();
            TensorConversion.ToSingle(tensor.File.ReadData(tensor.DataBegin + index * bytes, bytes, tensor.Name), tensor.DType, value);
            return float.IsNaN(value[0]) ? "NaN" : value[0] > 0 ? "+infinity" : "-infinity";
        }

        /// <summary>The element's index per dimension, "[3, 17]".</summary>
        private static string Position(IReadOnlyList<long> shape, long index)
        {
            var position = new long[shape.Count];
            for (int d = shape.Count - 1; d >= 0; d--)
            {
                position[d] = shape[d] == 0 ? 0 : index % shape[d];
                index = shape[d] == 0 ? 0 : index / shape[d];
            }
            return "[" + string.Join(", ", position) + "]";
        }
    }
}
