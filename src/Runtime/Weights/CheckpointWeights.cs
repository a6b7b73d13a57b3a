using System.Collections.Generic;
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
    }
}
