using System.Collections.Generic;
using Kvpr.Planning;

namespace Kvpr.Graphs
{
    /// <summary>
    /// Where the pieces of streamed layers' weights join the host-to-device queue. The link is one queue for weights and
    /// stored activations: on a copy stream of their own, weights would share the link's bandwidth with the activations
    /// the next micro-batch waits for (OPT-30B at a 40 GB cap on an H100: 1410 ms a step that way, against a 919 ms
    /// prediction). The pieces go into the queue at an even rate over every micro-batch of every layer, ahead of that
    /// micro-batch's activations, in the order the streamed layers need them: all of a layer's pieces are queued before its
    /// first micro-batch, and none before the streamed layer that last used its slot has finished.
    /// </summary>
    internal sealed class WeightPieceQueue
    {
        private readonly Dictionary<(int Layer, int MicroBatch), List<(int Layer, int Slot, WeightPart Part)>> _before = new();

        public WeightPieceQueue(ModelSpec spec, Residency residency, int microBatches)
        {
            int pieces = WeightPart.CountFor(spec);
            var streamed = residency.StreamedLayers(spec.Layers);
            long total = (long)streamed.Count * pieces, points = (long)spec.Layers * microBatches;
            int next = 0; // the next piece to queue, counting through the streamed layers' pieces in order
            long owed = 0; // pieces behind the even rate; the queue may run up to half a layer's pieces ahead of it
            long ahead = pieces / 2;
            for (int layer = 0; layer < spec.Layers; layer++)
            {
                for (int m = 0; m < microBatches; m++)
                {
                    long point = (long)layer * microBatches + m;
                    owed += (point + 1) * total / points - point * total / points;
                    var list = new List<(int, int, WeightPart)>();
                    while (next < total)
                    {
                        int k = next / pieces;
                        bool due = streamed[k] == layer;
                        bool slotFree = k < Residency.WeightSlots || streamed[k - Residency.WeightSlots] < layer;
                        if (!due && (owed <= -ahead || !slotFree))
                            break;
                        list.Add((streamed[k], Residency.WeightSlot(k), new WeightPart(next % pieces, pieces)));
                        next++;
                        owed--;
                    }
                    if (list.Count > 0)
                        _before.Add((layer, m), list);
                }
            }
        }

        /// <summary>The pieces queued ahead of micro-batch <paramref name="microBatch"/> of <paramref name="layer"/>'s copies, in order.</summary>
        public IReadOnlyList<(int Layer, int Slot, WeightPart Part)> Before(int layer, int microBatch) =>
            _before.TryGetValue((layer, microBatch), out var list) ? list : [];
    }
}
