using System.Collections.Generic;
using System.Linq;
using Kvpr.Graphs;
using Kvpr.Planning;

namespace Kvpr.Compiler.Tests.Graphs;

public class ExecutionGraphBuilderTests
{
    private static readonly ModelSpec Tiny = ModelCatalog.Get(ModelCatalog.TinyName);

    public static IEnumerable<object[]> Configurations()
    {
        foreach (var name in new[] { ModelCatalog.TinyName, "opt-6.7b", "llama-2-7b" })
        {
            var spec = ModelCatalog.Get(name);
            foreach (var residency in new[] { new Residency(0, spec.Layers), new Residency(0, 0), new Residency(2, 3), new Residency(spec.Layers, spec.Layers) })
                foreach (var (microBatches, chunks) in new[] { (1, 1), (2, 8), (3, 4), (4, 2) })
                    yield return new object[] { name, residency.KvResidentLayers, residency.WeightResidentLayers, microBatches, chunks };
        }
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Builders_produce_valid_graphs_whose_node_counts_match_the_closed_form(string model, int kvResident, int weightResident, int microBatches, int chunks)
    {
        var spec = ModelCatalog.Get(model);
        var residency = new Residency(kvResident, weightResident);
        var graphs = new[] { ExecutionGraphBuilder.ColumnByColumn(spec, residency, microBatches, chunks) };
        if (microBatches == 1)
            graphs = graphs.Append(ExecutionGraphBuilder.RowByRow(spec, residency, chunks)).ToArray();

        foreach (var graph in graphs)
        {
            GraphValidator.Validate(graph).ShouldBeEmpty();
            for (int layer = 0; layer < spec.Layers; layer++)
            {
                // Per micro-batch: attention + MLP, and for offloaded KV C loads + C recomputes + KV load + write-back.
                int perMicroBatch = layer < kvResident ? 2 : 2 * chunks + 4;
                int expected = microBatches * perMicroBatch + (residency.AreWeightsResident(layer, spec.Layers) ? 0 : WeightPart.CountFor(spec));
                graph.Nodes.Count(n => n.Layer == layer).ShouldBe(expected, $"layer {layer}");
            }
            graph.Nodes.Count(n => n.Op == OpKind.Embed).ShouldBe(microBatches);
            graph.Nodes.Count(n => n.Op == OpKind.FinalNormAndHead).ShouldBe(microBatches);
        }
    }

    [Fact]
    public void Row_by_row_uses_one_copy_stream_each_way_and_column_by_column_one_per_kind()
    {
        var residency = new Residency(0, 0);
        ExecutionGraphBuilder.RowByRow(Tiny, residency, 2).Streams
            .ShouldBe(new[] { StreamKind.Compute, StreamKind.HostToDevice, StreamKind.DeviceToHost }, ignoreOrder: true);
        ExecutionGraphBuilder.ColumnByColumn(Tiny, residency, 2, 2).Streams.ShouldBe(
            new[] { StreamKind.Compute, StreamKind.ActivationLoad, StreamKind.KvLoad, StreamKind.Store }, ignoreOrder: true);
    }

    [Fact]
    public void Next_layer_loads_wait_only_for_the_layer_two_back_that_used_the_same_slot()
    {
        var graph = ExecutionGraphBuilder.RowByRow(Tiny, new Residency(0, 0), 1);
        GraphNode Node(OpKind op, int layer) => graph.Nodes.Single(n => n.Op == op && n.Layer == layer);

        // Layer 2 reuses layer 0's slots; it must not wait for anything of layer 1. Its KV rows [l, s') are free
        // once layer 0's attention ended; its new-token row only once layer 0's write-back ended.
        Node(OpKind.LoadKv, 2).DependsOn.ShouldBe(new[] { Node(OpKind.AttentionBlock, 0).Id });
        Node(OpKind.AttentionBlock, 2).DependsOn.ShouldContain(Node(OpKind.StoreNewToken, 0).Id);
        Node(OpKind.LoadActivations, 2).DependsOn.ShouldBe(new[] { Node(OpKind.RecomputeKv, 0).Id });
        Node(OpKind.LoadWeights, 2).DependsOn.ShouldBe(new[] { Node(OpKind.MlpBlock, 0).Id });
        Node(OpKind.LoadKv, 1).DependsOn.ShouldBeEmpty();
        Node(OpKind.LoadKv, 2).Writes.Single().Index.ShouldBe(Node(OpKind.LoadKv, 0).Writes.Single().Index);
        Node(OpKind.LoadKv, 1).Writes.Single().Index.ShouldNotBe(Node(OpKind.LoadKv, 0).Writes.Single().Index);
    }

    [Fact]
    public void Column_by_column_loads_each_streamed_layers_weights_once_for_all_micro_batches()
    {
        var graph = ExecutionGraphBuilder.ColumnByColumn(Tiny, new Residency(0, 1), 3, 2);
        graph.Nodes.Count(n => n.Op == OpKind.LoadWeights).ShouldBe(Tiny.Layers - 1);
        var layerOneLoad = graph.Nodes.Single(n => n.Op == OpKind.LoadWeights && n.Layer == 1);
        graph.Nodes.Where(n => n.Layer == 1 && n.Reads.Contains(layerOneLoad.Writes.Single())).Select(n => n.MicroBatch).Distinct()
            .ShouldBe(new[] { 0, 1, 2 });
    }

    [Fact]
    public void A_graph_lists_the_device_buffers_it_needs()
    {
        ExecutionGraphBuilder.ColumnByColumn(Tiny, new Residency(1, 1), 2, 2).Buffers.ShouldBe(new[]
        {
            new BufferUse(BufferKind.Hidden, 0), new BufferUse(BufferKind.Hidden, 1),
            new BufferUse(BufferKind.ResidentWeights, 0), new BufferUse(BufferKind.ResidentKv, 0),
            new BufferUse(BufferKind.WeightSlot, 1), new BufferUse(BufferKind.WeightSlot, 0),
            new BufferUse(BufferKind.ActivationSlot, 0), new BufferUse(BufferKind.KvSlot, 0),
            new BufferUse(BufferKind.ActivationSlot, 1), new BufferUse(BufferKind.KvSlot, 1),
            new BufferUse(BufferKind.Logits, 0), new BufferUse(BufferKind.Logits, 1),
        }, ignoreOrder: true);
    }

    [Fact]
    public void Resident_kv_layers_load_nothing_and_append_the_new_token_on_the_device()
    {
        var graph = ExecutionGraphBuilder.RowByRow(Tiny, new Residency(1, Tiny.Layers), 2);
        var layerZero = graph.Nodes.Where(n => n.Layer == 0).ToArray();
        layerZero.Select(n => n.Op).ShouldBe(new[] { OpKind.AttentionBlock, OpKind.MlpBlock });
        layerZero[0].Writes.ShouldContain(new BufferUse(BufferKind.ResidentKv, 0, TokenRange.NewToken));
    }

    [Fact]
    public void Graphs_are_equal_by_value_and_the_text_dump_has_one_line_per_node()
    {
        var residency = new Residency(1, 2);
        var graph = ExecutionGraphBuilder.ColumnByColumn(Tiny, residency, 2, 3);
        var rebuilt = new ExecutionGraph(graph.Schedule, graph.MicroBatches, graph.ActivationChunks, graph.Nodes.Select(n =>
            new GraphNode(n.Id, n.Op, n.Layer, n.MicroBatch, n.Stream, n.Tokens, n.Reads.ToList(), n.Writes.ToList(), n.DependsOn.ToList())).ToList());
        rebuilt.ShouldBe(graph);
        rebuilt.GetHashCode().ShouldBe(graph.GetHashCode());
        ExecutionGraphBuilder.ColumnByColumn(Tiny, residency, 2, 4).ShouldNotBe(graph);

        var lines = graph.ToString().Split('\n', System.StringSplitOptions.RemoveEmptyEntries);
        lines.Count(l => l.StartsWith('#')).ShouldBe(graph.Nodes.Count);
        lines.Count(l => l.StartsWith("// layer ", System.StringComparison.Ordinal)).ShouldBe(Tiny.Layers);
    }

    [Fact]
    public void Bad_arguments_are_rejected_naming_the_parameter()
    {
        Should.Throw<System.ArgumentOutOfRangeException>(() => ExecutionGraphBuilder.RowByRow(Tiny, new Residency(5, 0), 1)).ParamName.ShouldBe("residency");
        Should.Throw<System.ArgumentOutOfRangeException>(() => ExecutionGraphBuilder.RowByRow(Tiny, new Residency(0, 0), 0)).ParamName.ShouldBe("activationChunks");
        Should.Throw<System.ArgumentOutOfRangeException>(() => ExecutionGraphBuilder.ColumnByColumn(Tiny, new Residency(0, 0), 0, 1)).ParamName.ShouldBe("microBatches");
        Should.Throw<System.ArgumentOutOfRangeException>(() => ExecutionGraphBuilder.Build(ScheduleKind.RowByRow, Tiny, new Residency(0, 0), 2, 1)).ParamName.ShouldBe("microBatches");
    }
}
