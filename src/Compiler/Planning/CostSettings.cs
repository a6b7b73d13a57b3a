using System;

namespace Kvpr.Planning
{
    /// <summary>
    /// Which effects the <see cref="CostModel"/> charges. <see cref="Default"/> models what the runtime does;
    /// <see cref="Paper"/> reproduces the per-layer model of Jiang et al. (2024) so its closed forms can be checked.
    /// </summary>
    public sealed record CostSettings
    {
        /// <summary>
        /// Chunks the activations of an offloaded layer arrive in; each chunk is recomputed while later ones
        /// still cross the link. 1 is the paper's model: recompute starts after all activations arrived.
        /// </summary>
        public int ActivationChunks { get; init; } = 4;

        /// <summary>Charge the layer's own QKV, attention, output and MLP work and the embedding and head.</summary>
        public bool ChargeLayerCompute { get; init; } = true;

        /// <summary>Charge copying the new token's X, K and V back to the host store (device→host).</summary>
        public bool ChargeWriteBack { get; init; } = true;

        /// <summary>
        /// Ideal hardware: copies at the link's asymptotic bandwidth without per-copy latency, GEMMs at the
        /// profile's FLOP rate without the memory-bandwidth bound or launch cost, as in the paper's analysis.
        /// </summary>
        public bool IdealHardware { get; init; }

        public static CostSettings Default { get; } = new();

        /// <summary>The paper's model: per layer M_X/v + max(t_recompute, M_KV/v), nothing else.</summary>
        public static CostSettings Paper { get; } = new()
        {
            ActivationChunks = 1,
            ChargeLayerCompute = false,
            ChargeWriteBack = false,
            IdealHardware = true,
        };

        internal void Check()
        {
            if (ActivationChunks < 1)
                throw new ArgumentOutOfRangeException(nameof(ActivationChunks), ActivationChunks, "At least one activation chunk is needed.");
        }
    }
}
