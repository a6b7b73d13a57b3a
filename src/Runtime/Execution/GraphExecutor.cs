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
    /// Streamed layers' weights cross into two slots in pieces (the graph's <c>LoadWeights</c>), queued between the
    /// stored activations' copies ahead of the compute that reads them.
    /// With a <see cref="StepTimer"/> each node that does work is also timed on its stream.
    /// </remarks>
    internal sealed class GraphExecutor
    {
        private readonly IDevice _device;
        private readonly HostWeights _hostWeights;
        private readonly ExecutionGraph _graph;
        private readonly Residency _residency;
        private readonly KvTransfers _transfers;
        private readonly ILayerCompute _compute;
        private readonly StepBuffers _buffers;
        private readonly IReadOnlyList<MicroBatch> _microBatches;
        private readonly IStream _computeStream;
        private readonly IStream[] _otherStreams;
        // Per node, resolved once: its stream, the events it waits on, and the slot it reads or writes (-1 for none).
        private readonly IStream[] _nodeStream;
        private readonly IEvent[][] _waits;
        private readonly int[] _activationSlot, _kvSlot, _weightSlot;
        private readonly IEvent?[] _completed;
        private readonly StepTimer? _timer;
        private readonly bool _hasHostLane;
        private readonly IAllReduce? _allReduce;

        /// <param name="allReduce">This device's side of the sum over the ranks, for the graph of a tensor-parallel rank; null for a graph of one rank.</param>
        public GraphExecutor(IDevice device, ExecutionGraph graph, Residency residency, KvTransfers transfers, ILayerCompute compute, StepBuffers buffers, IReadOnlyList<MicroBatch> microBatches,
            HostWeights hostWeights, bool recordTimeline, IAllReduce? allReduce = null)
        {
            GraphValidator.ThrowIfInvalid(graph);
            if ((graph.Ranks > 1) != (allReduce is not null))
                throw new ArgumentException($"The graph runs on {graph.Ranks} tensor-parallel rank(s), but the executor was given {(allReduce is null ? "no" : "an")} all-reduce.", nameof(allReduce));
            _allReduce = allReduce;
            if (graph.MicroBatches != microBatches.Count)
                throw new ArgumentException($"The graph runs {graph.MicroBatches} micro-batches, but {microBatches.Count} were given.", nameof(microBatches));
            if (graph.Nodes.FirstOrDefault(n => SlotIndex(n, BufferKind.WeightSlot) >= buffers.WeightSlots.Length
                    || n.Reads.Any(use => use.Buffer == BufferKind.ResidentWeights && (use.Index >= buffers.ResidentWeights.Length || buffers.ResidentWeights[use.Index] is null))) is GraphNode stray)
                throw new ArgumentException($"Node #{stray.Id} ({stray.Op}, layer {stray.Layer}) uses weights the generation's buffers do not hold: " +
                    $"{buffers.ResidentWeights.Count(w => w is not null)} resident layers, {buffers.WeightSlots.Length} weight slots.", nameof(graph));
            _device = device;
            _hostWeights = hostWeights;
            _graph = graph;
            _residency = residency;
            _transfers = transfers;
            _compute = compute;
            _buffers = buffers;
            _microBatches = microBatches;
            var streams = graph.Streams.ToDictionary(kind => kind, _ => device.CreateStream());
            _computeStream = streams[StreamKind.Compute];
            _otherStreams = streams.Where(s => s.Key != StreamKind.Compute).Select(s => s.Value).ToArray();
            _completed = new IEvent?[graph.Nodes.Count];
            foreach (var node in graph.Nodes)
                foreach (int dependency in node.DependsOn)
                    if (graph.Nodes[dependency].Stream != node.Stream)
                        _completed[dependency] ??= device.CreateEvent();
            _nodeStream = graph.Nodes.Select(node => streams[node.Stream]).ToArray();
            _waits = graph.Nodes.Select(node => node.DependsOn
                .Where(dependency => graph.Nodes[dependency].Stream != node.Stream)
                .Select(dependency => _completed[dependency]!).ToArray()).ToArray();
            _activationSlot = graph.Nodes.Select(node => SlotIndex(node, BufferKind.ActivationSlot)).ToArray();
            _kvSlot = graph.Nodes.Select(node => SlotIndex(node, BufferKind.KvSlot)).ToArray();
            _weightSlot = graph.Nodes.Select(node => SlotIndex(node, BufferKind.WeightSlot)).ToArray();
            if (recordTimeline)
                _timer = new StepTimer(device, graph);
            _hasHostLane = graph.Nodes.Any(node => node.Op == OpKind.HostAttention);
        }

        /// <summary>
        /// Queues every node of the step, then waits for all streams; returns where the (host) time went and,
        /// when the executor records and <paramref name="record"/> asks for it, the device's timeline of the step.
        /// </summary>
        public (PhaseTimes Times, StepTimeline? Timeline) Run(StepInputs inputs, bool record)
        {
            // Without the CPU lane the KV slots hold [0, l₂) only: a CPU share would silently drop its tokens from attention.
            if (!_hasHostLane && inputs.HostTokens?.Any(tokens => tokens > 0) == true)
                throw new InvalidOperationException("The step gives the CPU stored tokens to attend to, but its graph has no CPU lane (build it with hostAttention).");
            var timer = record ? _timer : null;
            TimeSpan transfer = TimeSpan.Zero, recompute = TimeSpan.Zero, compute = TimeSpan.Zero;
            var clock = new Stopwatch();
            timer?.StartStep(_computeStream, _otherStreams);
            foreach (var node in _graph.Nodes)
            {
                var stream = _nodeStream[node.Id];
                foreach (var dependency in _waits[node.Id])
                    stream.Wait(dependency);

                bool works = DoesWork(node, inputs);
                if (works)
                    timer?.BeforeNode(node, stream);
                clock.Restart();
                if (works)
                    Dispatch(node, stream, inputs);
                switch (node.Op)
                {
                    case OpKind.LoadWeights or OpKind.LoadActivations or OpKind.LoadKv or OpKind.StoreNewToken:
                        transfer += clock.Elapsed;
                        break;
                    case OpKind.RecomputeKv:
                        recompute += clock.Elapsed;
                        break;
                    default:
                        compute += clock.Elapsed;
                        break;
                }
                if (works)
                    timer?.AfterNode(node, stream);

                if (_completed[node.Id] is IEvent completed)
                    stream.Record(completed);
            }
            clock.Restart();
            _computeStream.Synchronize();
            foreach (var stream in _otherStreams)
                stream.Synchronize();
            var times = new PhaseTimes(transfer, recompute, compute, TimeSpan.Zero) { DeviceWait = clock.Elapsed };
            return (times, timer?.Read());
        }

        /// <summary>The graph's new-token range is one token; a step here appends inputs.NewTokens (the prompt in prefill), so those nodes always work.</summary>
        private bool DoesWork(GraphNode node, StepInputs inputs) =>
            node.Tokens.Kind == TokenRangeKind.NewToken || !node.IsNoOpFor(ShapeOf(node, inputs));

        private StepShape ShapeOf(GraphNode node, StepInputs inputs) => node.Layer == GraphNode.NoLayer
            ? new(_microBatches[node.MicroBatch].Sequences, inputs.Length, 0)
            : new(_microBatches[node.MicroBatch].Sequences, inputs.Length, inputs.RecomputeTokens[node.Layer], inputs.HostTokensOf(node.Layer));

        private void Dispatch(GraphNode node, IStream stream, StepInputs inputs)
        {
            var batch = _microBatches[node.MicroBatch];
            int layer = node.Layer, length = inputs.Length, count = inputs.NewTokens;
            var shape = ShapeOf(node, inputs);
            var (start, end) = node.Tokens.Resolve(shape);

            switch (node.Op)
            {
                case OpKind.Embed:
                    _compute.Embed(stream, batch, inputs.TokenIds[node.MicroBatch], length, count);
                    break;
                case OpKind.LoadWeights:
                    // One copy of the layer's weights serves every micro-batch; its bytes count as micro-batch 0's.
                    batch.HostToDeviceElements += _buffers.WeightSlots[_weightSlot[node.Id]].Load(_device, stream, _hostWeights, layer, node.Part);
                    break;
                case OpKind.LoadActivations:
                    _transfers.LoadActivations(stream, batch, layer, ActivationSlot(node), start, end);
                    break;
                case OpKind.RecomputeKv:
                    _compute.RecomputeKv(stream, batch, Weights(node), ActivationSlot(node), Kv(node), start, end);
                    break;
                case OpKind.LoadKv:
                    _transfers.LoadKv(stream, batch, layer, Kv(node), start, end);
                    break;
                case OpKind.AttentionBlock:
                    _compute.QkvProjection(stream, batch, Weights(node), Kv(node), length, count);
                    _compute.AttentionOutput(stream, batch, Weights(node), Kv(node), length, count, hostStart: length);
                    break;
                case OpKind.QkvProjection:
                    _compute.QkvProjection(stream, batch, Weights(node), Kv(node), length, count);
                    break;
                case OpKind.HostAttention:
                    _compute.HostAttention(stream, batch, layer, start, end);
                    break;
                case OpKind.AttentionOutput:
                    _compute.AttentionOutput(stream, batch, Weights(node), Kv(node), length, count, shape.HostStart);
                    break;
                case OpKind.StoreNewToken:
                    _transfers.StoreNewTokens(stream, batch, layer, Kv(node), length, count);
                    break;
                case OpKind.MlpBlock:
                    _compute.MlpBlock(stream, batch, Weights(node), count);
                    break;
                case OpKind.FinalNormAndHead:
                    _compute.FinalNormAndHead(stream, batch, count, inputs.LogitsForAllNewTokens);
                    break;
                case OpKind.AllReduce:
                    _allReduce!.Sum(stream, batch.Rows(batch.Hidden, count, batch.Store.Hidden));
                    break;
                default:
                    throw new NotSupportedException($"Node #{node.Id} has op {node.Op}, which this executor does not run.");
            }
        }

        private KvBuffer Kv(GraphNode node) => _residency.IsKvResident(node.Layer)
            ? _buffers.ResidentKv[node.Layer][node.MicroBatch]
            : _buffers.KvSlots[_kvSlot[node.Id]];

        /// <summary>The layer's weights as the node reads them: resident, or the slot its layer was streamed into.</summary>
        private LayerWeights Weights(GraphNode node) => _weightSlot[node.Id] >= 0
            ? _buffers.WeightSlots[_weightSlot[node.Id]]
            : _buffers.ResidentWeights[node.Layer]!;

        private IDeviceBuffer ActivationSlot(GraphNode node) => _buffers.ActivationSlots[_activationSlot[node.Id]];

        private static int SlotIndex(GraphNode node, BufferKind kind) =>
            node.Reads.Concat(node.Writes).FirstOrDefault(use => use.Buffer == kind)?.Index ?? -1;
    }
}
