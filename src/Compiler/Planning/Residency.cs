namespace Kvpr.Planning
{
    /// <summary>
    /// Which layers keep their KV cache, and which their weights, in GPU memory for the whole generation.
    /// Resident layers are the first ones: layer 0 has no earlier layer whose compute could hide its
    /// transfers, so it gains most from residency, and the next offloaded layer is prefetched while the
    /// resident ones run.
    /// </summary>
    public sealed record Residency(int KvResidentLayers, int WeightResidentLayers)
    {
        /// <summary>Everything offloaded except the weights (the paper's setting).</summary>
        public static Residency WeightsOnly(ModelSpec spec) => new(0, spec.Layers);

        public bool IsKvResident(int layer) => layer < KvResidentLayers;
        public bool AreWeightsResident(int layer) => layer < WeightResidentLayers;
    }
}
