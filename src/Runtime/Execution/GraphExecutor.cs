using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using Kvpr.Backend;
using Kvpr.Graphs;
using Kvpr.Planning;

namespace Kvpr.Execution
{
    /// <summary>
    /// Runs an <see cref="ExecutionGraph"/> on a device: one device stream per graph stream, and for every edge
    /// between streams an event recorded after the producer and waited on before the consumer. Each node's
    /// symbolic token range is resolved against the step's shape for its layer; nodes with an empty range
    /// queue nothing but still record their event, so dependents wait on something that happens.
    /// </summary>
    /// <remarks>
    /// Prefill runs the same graph: a step with an empty store (s' = l = 0) whose "new token" range covers the
    /// whole prompt, so each layer's attention is causal over the prompt and its X, K, V are written back like
    /// a decoded token's. Recompute and KV loads are then empty no-ops.
    /// </remarks>
    internal sealed class GraphExecutor
    {
        private readonly ExecutionGraph _graph;
        private readonly Residency _residency;
        private readonly DecodeOperations _operations;
        private readonly StepBuffers _buffers;
        private readonly IReadOnlyList<MicroBatch> _microBatches;
        private readonly Dictionary<StreamKind, IStream> _streams;
        private readonly IEvent?[] _completed;

        public GraphExecutor(IDevice device, ExecutionGraph graph, Residency residency, DecodeOperations operations, StepBuffers buffers, IReadOnlyList<MicroBatch> microBatches)
        {
            GraphValidator.ThrowIfInvalid(graph);
            if (graph.MicroBatches != microBatches.Count)
                throw new ArgumentException($"The graph runs {graph.MicroBatches} micro-batches, but {microBatches.Count} were given.", nameof(microBatches));
            if (graph.Nodes.FirstOrDefault(n => n.Op == OpKind.LoadWeights) is GraphNode load)
                throw new ArgumentException($"Node #{load.Id} streams layer {load.Layer}'s weights, but this runtime uploads every layer's weights when the engine is built: build the graph with all weights resident.", nameof(graph));
            _graph = graph;
            _residency = residency;
            _operations = operations;
            _buffers = buffers;
            _microBatches = microBatches;
            _streams = graph.Streams.ToDictionary(kind => kind, _ => device.CreateStream());
            _completed = new IEvent?[graph.Nodes.Count];
            foreach (var node in graph.Nodes)
                foreach (int dependency in node.DependsOn)
                    if (graph.Nodes[dependency].Stream != node.Stream)
                        _completed[dependency] ??= device.CreateEvent();
        }

        /// <summary>Queues every node of the step, then waits for all streams; returns where the time went.</summary>
        public PhaseTimes Run(StepInputs inputs)
        {
            TimeSpan transfer = TimeSpan.Zero, recompute = TimeSpan.Zero, compute = TimeSpan.Zero;
            var clock = new Stopwatch();
            foreach (var node in _graph.Nodes)
            {
                var stream = _streams[node.Stream];
                foreach (int dependency in node.DependsOn)
                    if (_graph.Nodes[dependency].Stream != node.Stream)
                        stream.Wait(_completed[dependency]!);

                clock.Restart();
                Dispatch(node, stream, inputs);
                switch (node.Op)
                {
                    case OpKind.LoadActivations or OpKind.LoadKv or OpKind.StoreNewToken:
                        transfer += clock.Elapsed;
                        break;
                    case OpKind.RecomputeKv:
                        recompute += clock.Elapsed;
                        break;
                    default:
                        compute += clock.Elapsed;
                        break;
                }

                if (_completed[node.Id] is IEvent completed)
                    stream.Record(completed);
            }
            foreach (var stream in _streams.Values)
                stream.Synchronize();
            return new PhaseTimes(transfer, recompute, compute, TimeSpan.Zero);
        }

        private void Dispatch(GraphNode node, IStream stream, StepInputs inputs)
        {
            var batch = _microBatches[node.MicroBatch];
            int layer = node.Layer, length = inputs.Length, count = inputs.NewTokens;
            int recompute = layer == GraphNode.NoLayer ? 0 : inputs.RecomputeTokens[layer];
            var shape = new StepShape(batch.Sequences, length, recompute);
            // The graph's new-token range is one token; a step here appends inputs.NewTokens (the prompt in prefill).
            if (node.Tokens.Kind != TokenRangeKind.NewToken && node.IsNoOpFor(shape))
                return;
            var (start, end) = node.Tokens.Resolve(shape);

            switch (node.Op)
            {
                case OpKind.Embed:
                    _operations.Embed(stream, batch, inputs.TokenIds[node.MicroBatch], length, count);
                    break;
                case OpKind.LoadActivations:
                    _operations.LoadActivations(stream, batch, layer, ActivationSlot(node), start, end);
                    break;
                case OpKind.RecomputeKv:
                    _operations.RecomputeKv(stream, batch, layer, ActivationSlot(node), Kv(node), start, end);
                    break;
                case OpKind.LoadKv:
                    _operations.LoadKv(stream, batch, layer, Kv(node), start, end);
                    break;
                case OpKind.AttentionBlock:
                    _operations.AttentionBlock(stream, batch, layer, Kv(node), length, count);
                    break;
                case OpKind.StoreNewToken:
                    _operations.StoreNewTokens(stream, batch, layer, Kv(node), length, count);
                    break;
                case OpKind.MlpBlock:
                    _operations.MlpBlock(stream, batch, layer, count);
                    break;
                case OpKind.FinalNormAndHead:
                    _operations.FinalNormAndHead(stream, batch, count, inputs.LogitsForAllNewTokens);
                    break;
                default:
                    throw new NotSupportedException($"Node #{node.Id} has op {node.Op}, which this executor does not run.");
            }
        }

        private KvBuffer Kv(GraphNode node) => _residency.IsKvResident(node.Layer)
            ? _buffers.ResidentKv[node.Layer][node.MicroBatch]
            : _buffers.KvSlots[SlotIndex(node, BufferKind.KvSlot)];

        private IDeviceBuffer ActivationSlot(GraphNode node) => _buffers.ActivationSlots[SlotIndex(node, BufferKind.ActivationSlot)];

        private static int SlotIndex(GraphNode node, BufferKind kind) =>
            node.Reads.Concat(node.Writes).First(use => use.Buffer == kind).Index;
    }
}
