using System.Collections.Generic;
using System.Linq;

namespace Kvpr
{
    /// <summary>
    /// Seeded random fp16 weights for running a model without a checkpoint (the built-in models, benchmarks at
    /// real sizes), by default with the fixtures' scales: matrices mean 0 and standard deviation 0.08, norm scales
    /// 1 and 0.1, other vectors 0 and 0.05, so that activations stay well away from zero through the layers. Values are
    /// uniform and computed when a device reads them (<see cref="SeededRandomTensor"/>), so creating weights costs
    /// nothing and uploading them is about as fast as a checkpoint's.
    /// </summary>
    public static class RandomWeights
    {
        /// <param name="matrixStandardDeviation">
        /// Of the weight matrices; at real widths 0.08 makes attention nearly one-hot, where 0.02 (OPT's init_std)
        /// keeps scores of order one.
        /// </param>
        public static ModelWeights Create(ModelSpec spec, int seed, double matrixStandardDeviation = 0.08)
        {
            var tensors = new Dictionary<string, IWeightTensor>();
            ulong tensorSeed = (ulong)(uint)seed << 32;
            foreach (var entry in WeightMap.For(spec).Entries)
            {
                if (!entry.IsRequired)
                    continue;
                (double mean, double std) = entry.Shape.Count >= 2 ? (0.0, matrixStandardDeviation) : IsNormScale(entry.Role) ? (1.0, 0.1) : (0.0, 0.05);
                tensors.Add(entry.Name, new SeededRandomTensor(entry.Name, entry.Shape.Select(d => (long)d).ToArray(), ++tensorSeed * 0xD1B54A32D192ED03UL, mean, std));
            }
            return ModelWeights.Create(spec, tensors);
        }

        private static bool IsNormScale(WeightMapRole role) =>
            role is WeightMapRole.AttentionNormWeight or WeightMapRole.MlpNormWeight or WeightMapRole.FinalNormWeight;
    }
}
