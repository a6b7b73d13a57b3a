using System.Linq;
using Kvpr.Execution;
using Kvpr.Graphs;
using Kvpr.Planning;
using Kvpr.Store;

namespace Kvpr.Runtime.Tests.Execution;

/// <summary>The executor turns the graph's streams into device streams and its cross-stream edges into events.</summary>
public class GraphExecutorTests
{
    private static readonly ModelSpec Spec = ModelSpec.Opt("executor", hidden: 16, layers: 3, heads: 2, ffnHidden: 32, vocab: 12, maxPositions: 32);

    [Theory]
    [InlineData(ScheduleKind.RowByRow, 1)]
    [InlineData(ScheduleKind.ColumnByColumn, 2)]
    public void Every_cross_stream_edge_is_a_wait_on_an_event_recorded_by_its_producer(ScheduleKind schedule, int microBatches)
    {
        var residency = new Residency(1, Spec.Layers);
        var graph = schedule == ScheduleKind.RowByRow
            ? ExecutionGraphBuilder.RowByRow(Spec, residency, activationChunks: 2)
            : ExecutionGraphBuilder.ColumnByColumn(Spec, residency, microBatches, activationChunks: 2);
        using var device = new RecordingDevice();
        var executor = Executor(device, graph, residency, microBatches);
        device.Log.Clear();

        executor.Run(new StepInputs(Length: 6, NewTokens: 1, RecomputeTokens: new[] { 0, 3, 6 }, TokenIds: Enumerable.Repeat(new[] { 1, 2 }, microBatches).ToArray(), false), record: false);

        int crossStreamEdges = graph.Nodes.Sum(n => n.DependsOn.Count(d => graph.Nodes[d].Stream != n.Stream));
        var waits = device.Log.Where(e => e.What == "wait").ToArray();
        waits.Length.ShouldBe(crossStreamEdges);
        foreach (var wait in waits)
        {
            int index = device.Log.IndexOf(wait);
            device.Log.Take(index).ShouldContain(e => e.What == "record" && e.Event == wait.Event && e.Stream != wait.Stream);
        }
        // Copies run on the graph's transfer streams, never on the compute stream.
        int compute = graph.Streams.ToList().IndexOf(StreamKind.Compute);
        device.Log.Where(e => e.What.StartsWith("to ")).ShouldAllBe(e => e.Stream != compute);
        device.Log.Count(e => e.What == "synchronize").ShouldBe(graph.Streams.Count);
    }

    [Theory]
    [InlineData(ScheduleKind.RowByRow, 1)]
    [InlineData(ScheduleKind.ColumnByColumn, 2)]
    public void Streamed_layers_cross_once_per_step_on_a_transfer_stream_before_their_compute(ScheduleKind schedule, int microBatches)
    {
        var residency = new Residency(Spec.Layers, 1);
        var graph = ExecutionGraphBuilder.Build(schedule, Spec, residency, microBatches, activationChunks: 1);
        using var device = new RecordingDevice();
        var executor = Executor(device, graph, residency, microBatches);
        device.Log.Clear();

        executor.Run(new StepInputs(Length: 6, NewTokens: 1, RecomputeTokens: new int[Spec.Layers], TokenIds: Enumerable.Repeat(new[] { 1, 2 }, microBatches).ToArray(), false), record: false);

        // Every KV is resident, so the only copies are the streamed layers' tensors (12 per OPT layer: 6 weights, 6 biases).
        int compute = graph.Streams.ToList().IndexOf(StreamKind.Compute);
        var copies = device.Log.Where(e => e.What == "to device").ToArray();
        copies.Length.ShouldBe((Spec.Layers - 1) * LayerLayout.PerRole.Tensors.Count(t => RandomWeights.Create(Spec, 1).Find(t[0], 0) is not null));
        copies.ShouldAllBe(e => e.Stream != compute);
    }

    [Fact]
    public void A_tensor_parallel_ranks_graph_needs_an_all_reduce()
    {
        var residency = new Residency(0, Spec.Layers);
        var graph = ExecutionGraphBuilder.Build(ScheduleKind.RowByRow, Spec, residency, 1, 1, ranks: 2);
        using var device = new RecordingDevice();

        var error = Should.Throw<System.ArgumentException>(() => Executor(device, graph, residency, 1));

        error.Message.ShouldContain("runs on 2 tensor-parallel rank(s), but the executor was given no all-reduce");
    }

    private static GraphExecutor Executor(RecordingDevice device, ExecutionGraph graph, Residency residency, int microBatches)
    {
        var sizes = Enumerable.Repeat(2, microBatches).ToArray();
        var shape = new DeviceBufferShape(sizes, capacity: 8, maxNewTokens: 1, logitRows: 1);
        var random = RandomWeights.Create(Spec, seed: 1);
        var weights = new DeviceWeights(device, device.Ops, random);
        var host = new HostWeights(device, random, weights.Layout);
        var buffers = new StepBuffers(device, Spec, shape, DeviceBufferList.For(Spec, shape, residency), host);
        var batches = sizes.Select((size, m) => new MicroBatch(new HostKvStore(device, Spec, size, 8), buffers.Hidden[m], buffers.Logits[m], buffers.TokenIds[m])).ToArray();
        return new GraphExecutor(device, graph, residency, new KvTransfers(device, Spec), weights.CreateCompute(buffers), buffers, batches, host, recordTimeline: false);
    }
}
