using System;
using System.Collections.Generic;
using System.Linq;

namespace Kvpr
{
    /// <summary>
    /// Seeded random fp16 weights for running a model without a checkpoint (the built-in tiny model), drawn
    /// like the test fixtures: matrices N(0, 0.08²), norm scales N(1, 0.1²), other vectors N(0, 0.05²), so
    /// that activations stay well away from zero through the layers.
    /// </summary>
    public static class RandomWeights
    {
        public static ModelWeights Create(ModelSpec spec, int seed)
        {
            var random = new Random(seed);
            var tensors = new Dictionary<string, IWeightTensor>();
            foreach (var entry in WeightMap.For(spec).Entries)
            {
                if (!entry.IsRequired)
                    continue;
                (double mean, double std) = entry.Shape.Count >= 2 ? (0.0, 0.08) : IsNormScale(entry.Role) ? (1.0, 0.1) : (0.0, 0.05);
                var values = new Half[entry.Elements];
                for (int i = 0; i < values.Length; i++)
                    values[i] = (Half)(mean + std * StandardNormal(random));
                tensors.Add(entry.Name, new HalfTensor(entry.Name, entry.Shape.Select(d => (long)d).ToArray(), values));
            }
            return ModelWeights.Create(spec, tensors);
        }

        private static bool IsNormScale(WeightMapRole role) =>
            role is WeightMapRole.AttentionNormWeight or WeightMapRole.MlpNormWeight or WeightMapRole.FinalNormWeight;

        // Box–Muller; 1 − NextDouble() keeps the logarithm's argument in (0, 1].
        private static double StandardNormal(Random random) =>
            Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
    }
}
