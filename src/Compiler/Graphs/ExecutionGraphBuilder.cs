using System;
using Kvpr.Planning;

namespace Kvpr.Graphs
{
    /// <summary>
    /// Builds the two static schedules. Both walk the layers in order and, within a layer, the micro-batches
    /// (one for row-by-row). Per offloaded layer and micro-batch: the stored activations of the recomputed
    /// prefix arrive in chunks, each chunk's K and V are recomputed as soon as it lands while the later
    /// chunks and then the transferred KV cross the link; then attention, the write-back of the new token,
    /// and the MLP. Offloaded KV and activations alternate between two slots per (layer, micro-batch),
    /// streamed weights between two slots per layer, so the next one loads while the current one computes.
    /// With CPU attention an offloaded layer's attention block is cut in two around the CPU lane: the new token's Q, K
    /// and V first (so the CPU starts on the queries while the GPU recomputes), CPU attention over tokens [l₂, s') of
    /// the host store on its own lane, then the GPU's attention over the rest merged with the CPU's partial result.
    /// Dependencies follow from the buffers each node uses (see <see cref="GraphAssembler"/>).
    /// </summary>
    public static class ExecutionGraphBuilder
    {
        /// <summary>The latency schedule: one batch, all host→device copies on one stream in the order the GPU needs them.</summary>
        public static ExecutionGraph RowByRow(ModelSpec spec, Residency residency, int activationChunks, bool hostAttention = false) =>
            Build(ScheduleKind.RowByRow, spec, residency, 1, activationChunks, hostAttention);

        /// <summary>
        /// The throughput schedule: each layer's weights are loaded once and used by every micro-batch;
        /// weights, KV and activations load on separate streams.
        /// </summary>
        public static ExecutionGraph ColumnByColumn(ModelSpec spec, Residency residency, int microBatches, int activationChunks, bool hostAttention = false) =>
            Build(ScheduleKind.ColumnByColumn, spec, residency, microBatches, activationChunks, hostAttention);

        /// <summary>
        /// Either schedule by kind; row-by-row runs one micro-batch. With <paramref name="hostAttention"/> every offloaded
        /// layer gets a CPU lane node (a no-op in steps where the CPU attends to no token). With <paramref name="ranks"/> &gt; 1
        /// it is the graph of one tensor-parallel rank (<paramref name="spec"/> its share): an <see cref="OpKind.AllReduce"/>
        /// of the hidden state follows each layer's attention and its MLP, on the compute stream.
        /// </summary>
        public static ExecutionGraph Build(ScheduleKind schedule, ModelSpec spec, Residency residency, int microBatches, int activationChunks, bool hostAttention = false,
            int ranks = 1)
        {
            Check(spec, residency, microBatches, activationChunks);
            if (ranks < 1)
                throw new ArgumentOutOfRangeException(nameof(ranks), ranks, "A graph runs on at least one rank.");
            if (schedule == ScheduleKind.RowByRow && microBatches != 1)
                throw new ArgumentOutOfRangeException(nameof(microBatches), microBatches,
                    "The row-by-row schedule runs one batch; use the column-by-column schedule for micro-batches.");
            bool rows = schedule == ScheduleKind.RowByRow;
            var activationStream = rows ? StreamKind.HostToDevice : StreamKind.ActivationLoad;
            var kvStream = rows ? StreamKind.HostToDevice : StreamKind.KvLoad;
            var storeStream = rows ? StreamKind.DeviceToHost : StreamKind.Store;
            var compute = StreamKind.Compute;
            var graph = new GraphAssembler(activationChunks);
            var none = Array.Empty<BufferUse>();
            var newToken = TokenRange.NewToken;
            var pieces = new WeightPieceQueue(spec, residency, microBatches);
            void LoadWeightPieces(int layer, int microBatch)
            {
                foreach (var (streamedLayer, slot, part) in pieces.Before(layer, microBatch))
                    graph.Add(OpKind.LoadWeights, streamedLayer, 0, activationStream, TokenRange.None, none,
                        new[] { new BufferUse(BufferKind.WeightSlot, slot) }, part);
            }
            void SumOverRanks(int layer, int m)
            {
                if (ranks > 1)
                    graph.Add(OpKind.AllReduce, layer, m, compute, newToken, new[] { Hidden(m) }, new[] { Hidden(m) });
            }

            for (int m = 0; m < microBatches; m++)
                graph.Add(OpKind.Embed, GraphNode.NoLayer, m, compute, newToken, none, new[] { Hidden(m) });

            for (int layer = 0; layer < spec.Layers; layer++)
            {
                int streamed = residency.StreamedOrdinal(layer, spec.Layers);
                var weights = streamed < 0
                    ? new BufferUse(BufferKind.ResidentWeights, layer)
                    : new BufferUse(BufferKind.WeightSlot, Residency.WeightSlot(streamed));

                for (int m = 0; m < microBatches; m++)
                {
                    LoadWeightPieces(layer, m);
                    var hidden = Hidden(m);
                    if (residency.IsKvResident(layer))
                    {
                        graph.Add(OpKind.AttentionBlock, layer, m, compute, newToken,
                            new[] { hidden, weights, new BufferUse(BufferKind.ResidentKv, layer, TokenRange.Stored) },
                            new[] { hidden, new BufferUse(BufferKind.ResidentKv, layer, newToken) });
                    }
                    else
                    {
                        int slot = (layer * microBatches + m) % 2;
                        for (int c = 0; c < activationChunks; c++)
                        {
                            var chunk = TokenRange.RecomputeChunk(c, activationChunks);
                            graph.Add(OpKind.LoadActivations, layer, m, activationStream, chunk, none,
                                new[] { new BufferUse(BufferKind.ActivationSlot, slot, chunk) });
                        }
                        graph.Add(OpKind.LoadKv, layer, m, kvStream, TokenRange.Transferred, none,
                            new[] { new BufferUse(BufferKind.KvSlot, slot, TokenRange.Transferred) });
                        var newTokenRow = new BufferUse(BufferKind.KvSlot, slot, newToken);
                        var partials = new BufferUse(BufferKind.HostPartials, m);
                        if (hostAttention)
                        {
                            graph.Add(OpKind.QkvProjection, layer, m, compute, newToken, new[] { hidden, weights }, new[] { Query, newTokenRow });
                            graph.Add(OpKind.HostAttention, layer, m, StreamKind.CpuLane, TokenRange.HostAttended, new[] { Query }, new[] { partials });
                        }
                        for (int c = 0; c < activationChunks; c++)
                        {
                            var chunk = TokenRange.RecomputeChunk(c, activationChunks);
                            graph.Add(OpKind.RecomputeKv, layer, m, compute, chunk,
                                new[] { new BufferUse(BufferKind.ActivationSlot, slot, chunk), weights },
                                new[] { new BufferUse(BufferKind.KvSlot, slot, chunk) });
                        }
                        var stored = new BufferUse(BufferKind.KvSlot, slot, TokenRange.Stored);
                        // The GPU's share [0, l₂) and the new token are one run of rows: the output copies the new token's K and V to row l₂.
                        if (hostAttention)
                            graph.Add(OpKind.AttentionOutput, layer, m, compute, newToken, new[] { hidden, weights, Query, stored, newTokenRow, partials },
                                new[] { hidden, new BufferUse(BufferKind.KvSlot, slot, TokenRange.HostAttended) });
                        else
                            graph.Add(OpKind.AttentionBlock, layer, m, compute, newToken, new[] { hidden, weights, stored }, new[] { hidden, newTokenRow });
                        graph.Add(OpKind.StoreNewToken, layer, m, storeStream, newToken, new[] { newTokenRow }, none);
                    }
                    SumOverRanks(layer, m);
                    graph.Add(OpKind.MlpBlock, layer, m, compute, newToken, new[] { hidden, weights }, new[] { hidden });
                    SumOverRanks(layer, m);
                }
            }

            for (int m = 0; m < microBatches; m++)
                graph.Add(OpKind.FinalNormAndHead, GraphNode.NoLayer, m, compute, newToken, new[] { Hidden(m) },
                    new[] { new BufferUse(BufferKind.Logits, m) });
            return new ExecutionGraph(schedule, microBatches, activationChunks, graph.Nodes) { Ranks = ranks };
        }

        private static BufferUse Hidden(int microBatch) => new(BufferKind.Hidden, microBatch);

        /// <summary>The queries: one scratch buffer, so a micro-batch's projection waits until the last one's CPU lane copied them.</summary>
        private static readonly BufferUse Query = new(BufferKind.Query, 0);

        private static void Check(ModelSpec spec, Residency residency, int microBatches, int activationChunks)
        {
            if (spec is null)
                throw new ArgumentNullException(nameof(spec));
            if (residency is null)
                throw new ArgumentNullException(nameof(residency));
            if (spec.Layers < 1)
                throw new ArgumentException($"Model '{spec.Name}' has {spec.Layers} layers; a graph needs at least one.", nameof(spec));
            if (residency.KvResidentLayers < 0 || residency.KvResidentLayers > spec.Layers)
                throw new ArgumentOutOfRangeException(nameof(residency), residency.KvResidentLayers,
                    $"KvResidentLayers must be in [0, {spec.Layers}] for model '{spec.Name}'.");
            if (residency.WeightResidentLayers < 0 || residency.WeightResidentLayers > spec.Layers)
                throw new ArgumentOutOfRangeException(nameof(residency), residency.WeightResidentLayers,
                    $"WeightResidentLayers must be in [0, {spec.Layers}] for model '{spec.Name}'.");
            if (microBatches < 1)
                throw new ArgumentOutOfRangeException(nameof(microBatches), microBatches, "At least one micro-batch is needed.");
            if (activationChunks < 1)
                throw new ArgumentOutOfRangeException(nameof(activationChunks), activationChunks, "At least one activation chunk is needed.");
        }
    }
}
