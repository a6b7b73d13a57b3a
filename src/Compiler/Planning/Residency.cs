using System;
using System.Collections.Generic;
using System.Linq;

namespace Kvpr.Planning
{
    /// <summary>
    /// Which layers keep their KV cache, and which their weights, in GPU memory for the whole generation.
    /// KV-resident layers are the first ones: layer 0 has no earlier layer whose compute could hide its
    /// transfers, so it gains most from residency, and the next offloaded layer is prefetched while the
    /// resident ones run. Layers whose weights are streamed are spread evenly among the resident ones instead
    /// (layer 0 stays resident, the last layer is streamed first): a streamed layer needs more link time than its
    /// compute lasts, a resident one leaves link time spare, and alternating them lets the next streamed layer's
    /// weights cross while resident layers compute. Kept together at the end, the streamed layers would each wait
    /// for their weights (OPT-30B, 64 sequences at a 40 GB cap on the stored H100 profile: a simulated step of 1134 ms with
    /// the streamed layers last, 907 ms spread, against 900 ms of compute; see also <see cref="Graphs.WeightPart"/>).
    /// </summary>
    public sealed record Residency(int KvResidentLayers, int WeightResidentLayers)
    {
        /// <summary>Everything offloaded except the weights (the paper's setting).</summary>
        public static Residency WeightsOnly(ModelSpec spec) => new(0, spec.Layers);

        public bool IsKvResident(int layer) => layer < KvResidentLayers;

        /// <summary>How many of <paramref name="layers"/> layers keep their KV in the host store.</summary>
        public int OffloadedLayers(int layers) => Math.Max(0, layers - KvResidentLayers);

        /// <summary>How many of <paramref name="layers"/> layers stream their weights every step.</summary>
        public int StreamedLayerCount(int layers) => Math.Max(0, layers - WeightResidentLayers);

        /// <summary>The layers of <paramref name="layers"/> that stream their weights, in layer order.</summary>
        public IReadOnlyList<int> StreamedLayers(int layers) =>
            Enumerable.Range(0, layers).Where(layer => !AreWeightsResident(layer, layers)).ToArray();

        /// <summary>Whether layer <paramref name="layer"/> of <paramref name="layers"/> keeps its weights on the GPU.</summary>
        public bool AreWeightsResident(int layer, int layers) => StreamedOrdinal(layer, layers) < 0;

        /// <summary>
        /// The position of layer <paramref name="layer"/> among the streamed layers of a model of <paramref name="layers"/>
        /// (0 for the first streamed one), or -1 when its weights are resident. Layer i is streamed when
        /// ⌊(i+1)·S/L⌋ &gt; ⌊i·S/L⌋ for S streamed of L layers: exactly S layers, evenly spaced.
        /// </summary>
        public int StreamedOrdinal(int layer, int layers)
        {
            long streamed = StreamedLayerCount(layers);
            long before = layer * streamed / layers, through = (layer + 1L) * streamed / layers;
            return through > before ? (int)before : -1;
        }

        /// <summary>Device slots the streamed layers' weights take turns in: one fills while the layer before uses the other.</summary>
        public const int WeightSlots = 2;

        /// <summary>The slot of the streamed layer at <paramref name="streamedOrdinal"/> (<see cref="StreamedOrdinal"/>).</summary>
        public static int WeightSlot(int streamedOrdinal) => streamedOrdinal % WeightSlots;
    }
}
