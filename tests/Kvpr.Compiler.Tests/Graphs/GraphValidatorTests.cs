using System;
using System.Collections.Generic;
using System.Linq;
using Kvpr.Graphs;
using Kvpr.Planning;

namespace Kvpr.Compiler.Tests.Graphs;

public class GraphValidatorTests
{
    private static readonly ModelSpec Tiny = ModelCatalog.Get(ModelCatalog.TinyName);
    private static readonly BufferUse Hidden = new(BufferKind.Hidden, 0);
    private static readonly BufferUse[] Nothing = Array.Empty<BufferUse>();

    private static GraphNode Node(int id, OpKind op, BufferUse[] reads, BufferUse[] writes, params int[] dependsOn) =>
        new(id, op, op is OpKind.Embed or OpKind.FinalNormAndHead ? GraphNode.NoLayer : 0, 0, StreamKind.Compute, TokenRange.NewToken, reads, writes, dependsOn);

    private static ExecutionGraph Graph(params GraphNode[] nodes) => new(ScheduleKind.RowByRow, 1, 1, nodes);

    /// <summary>A copy of a built graph with one node's writes or dependencies replaced.</summary>
    private static ExecutionGraph Edit(ExecutionGraph graph, Func<GraphNode, bool> which, IReadOnlyList<BufferUse>? writes = null, Func<IReadOnlyList<int>, IEnumerable<int>>? dependsOn = null)
    {
        var target = graph.Nodes.Single(which);
        var nodes = graph.Nodes.Select(n => n != target ? n : new GraphNode(n.Id, n.Op, n.Layer, n.MicroBatch, n.Stream, n.Tokens, n.Reads,
            writes ?? n.Writes, dependsOn is null ? n.DependsOn : dependsOn(n.DependsOn).ToArray()));
        return new ExecutionGraph(graph.Schedule, graph.MicroBatches, graph.ActivationChunks, nodes.ToArray());
    }

    private static SpecError SingleError(ExecutionGraph graph)
    {
        var errors = GraphValidator.Validate(graph);
        errors.Count.ShouldBe(1, string.Join("\n", errors));
        errors[0].Code.ShouldBe(ErrorCodes.InvalidGraph);
        return errors[0];
    }

    [Fact]
    public void A_hand_built_valid_graph_passes()
    {
        GraphValidator.Validate(Graph(
            Node(0, OpKind.Embed, Nothing, new[] { Hidden }),
            Node(1, OpKind.MlpBlock, new[] { Hidden, new BufferUse(BufferKind.ResidentWeights, 0) }, new[] { Hidden }, 0),
            Node(2, OpKind.FinalNormAndHead, new[] { Hidden }, new[] { new BufferUse(BufferKind.Logits, 0) }, 1))).ShouldBeEmpty();
    }

    [Fact]
    public void A_cycle_is_reported_with_its_nodes()
    {
        var error = SingleError(Graph(
            Node(0, OpKind.Embed, Nothing, new[] { Hidden }, 2),
            Node(1, OpKind.MlpBlock, new[] { Hidden }, new[] { Hidden }, 0),
            Node(2, OpKind.FinalNormAndHead, new[] { Hidden }, Nothing, 1)));
        error.Message.ShouldContain("#0 → #2 → #1 → #0");
        error.Message.ShouldContain("cycle");
    }

    [Fact]
    public void A_dependency_on_a_later_node_breaks_the_topological_order()
    {
        var error = SingleError(Graph(
            Node(0, OpKind.Embed, Nothing, new[] { Hidden }, 1),
            Node(1, OpKind.MlpBlock, Nothing, Nothing)));
        error.Message.ShouldContain("depends on the later node #1");
    }

    [Fact]
    public void Ids_must_be_positions_and_dependencies_must_exist()
    {
        var errors = GraphValidator.Validate(Graph(
            Node(0, OpKind.Embed, Nothing, new[] { Hidden }),
            Node(5, OpKind.MlpBlock, Nothing, Nothing, 7)));
        errors.Select(e => e.Message).ShouldBe(new[]
        {
            "node #5 (MlpBlock layer 0 micro-batch 0) is at position 1; a node's id must be its position in the list.",
            "node #5 (MlpBlock layer 0 micro-batch 0) depends on #7, which is not another node of the graph.",
        });
    }

    [Fact]
    public void Micro_batches_and_chunks_must_match_the_graph()
    {
        var chunk = TokenRange.RecomputeChunk(0, 2);
        var errors = GraphValidator.Validate(Graph(
            new GraphNode(0, OpKind.LoadActivations, 0, 1, StreamKind.HostToDevice, chunk, Nothing, new[] { new BufferUse(BufferKind.ActivationSlot, 0, chunk) }, Array.Empty<int>())));
        errors.Select(e => e.Message).ShouldBe(new[]
        {
            "node #0 (LoadActivations layer 0 chunk 0 micro-batch 1) is for micro-batch 1, outside [0, 1).",
            "node #0 (LoadActivations layer 0 chunk 0 micro-batch 1) uses tokens [0, l) chunk 0/2, but the graph cuts the prefix into 1 chunks.",
        });
    }

    [Fact]
    public void A_read_that_no_node_produces_is_reported()
    {
        var kv = new BufferUse(BufferKind.KvSlot, 0, TokenRange.Stored);
        var errors = GraphValidator.Validate(Graph(
            Node(0, OpKind.Embed, Nothing, new[] { Hidden }),
            Node(1, OpKind.AttentionBlock, new[] { Hidden, kv }, new[] { Hidden }, 0)));
        errors.Select(e => e.Field).Distinct().ShouldBe(new[] { "node #1 (AttentionBlock layer 0 micro-batch 0)" });
        errors.Select(e => e.Message.Substring(e.Message.IndexOf("no earlier", StringComparison.Ordinal))).ShouldBe(new[]
        {
            "no earlier node writes KvSlot[0](tokens [0, l) chunk 0/1).",
            "no earlier node writes KvSlot[0](tokens [l, l2)).",
        });
    }

    [Fact]
    public void A_slot_still_holding_an_earlier_layers_data_is_no_producer()
    {
        // Layer 2's KV load writes the wrong slot, so its attention would read layer 0's KV rows [l, s').
        var graph = ExecutionGraphBuilder.RowByRow(Tiny, new Residency(0, 0), 1);
        var errors = GraphValidator.Validate(Edit(graph, n => n.Op == OpKind.LoadKv && n.Layer == 2,
            writes: new[] { new BufferUse(BufferKind.KvSlot, 1, TokenRange.Transferred) }));
        errors.ShouldContain(e => e.Message.Contains("AttentionBlock layer 2") && e.Message.Contains("holds data of node #")
            && e.Message.Contains("(LoadKv layer 0 micro-batch 0)"));
    }

    [Fact]
    public void A_read_that_does_not_wait_for_its_producer_is_reported()
    {
        var graph = ExecutionGraphBuilder.RowByRow(Tiny, new Residency(0, 0), 2);
        var load = graph.Nodes.Single(n => n.Op == OpKind.LoadKv && n.Layer == 0);
        var errors = GraphValidator.Validate(Edit(graph, n => n.Op == OpKind.AttentionBlock && n.Layer == 0, dependsOn: d => d.Where(id => id != load.Id)));
        errors[0].Message.ShouldContain($"reads KvSlot[0](tokens [l, l2)) written by node #{load.Id} (LoadKv layer 0 micro-batch 0), but does not depend on it");
    }

    [Fact]
    public void A_slot_overwritten_while_an_earlier_layer_may_still_read_it_is_reported()
    {
        var graph = ExecutionGraphBuilder.RowByRow(Tiny, new Residency(0, 0), 1);
        var reader = graph.Nodes.Single(n => n.Op == OpKind.AttentionBlock && n.Layer == 0);
        var errors = GraphValidator.Validate(Edit(graph, n => n.Op == OpKind.LoadKv && n.Layer == 2, dependsOn: _ => Array.Empty<int>()));
        errors.ShouldContain(e => e.Message.Contains($"overwrites KvSlot[0](tokens [l, l2)) while node #{reader.Id} (AttentionBlock layer 0 micro-batch 0), which it does not depend on, may still use it"));
    }

    [Fact]
    public void A_write_back_racing_the_next_use_of_its_slot_is_reported()
    {
        var graph = ExecutionGraphBuilder.ColumnByColumn(Tiny, new Residency(0, 0), 2, 2);
        var store = graph.Nodes.Single(n => n.Op == OpKind.StoreNewToken && n.Layer == 1 && n.MicroBatch == 0);
        var errors = GraphValidator.Validate(Edit(graph, n => n.Op == OpKind.AttentionBlock && n.Layer == 2 && n.MicroBatch == 0,
            dependsOn: d => d.Where(id => id != store.Id)));
        errors.ShouldHaveSingleItem().Message.ShouldContain($"overwrites KvSlot[0](new token) while node #{store.Id} (StoreNewToken layer 1 micro-batch 0)");
    }

    [Fact]
    public void Throwing_lists_every_problem()
    {
        var graph = Graph(Node(0, OpKind.MlpBlock, new[] { Hidden }, Nothing));
        Should.Throw<InvalidGraphException>(() => GraphValidator.ThrowIfInvalid(graph)).Message.ShouldContain("KVPR012: node #0 (MlpBlock layer 0 micro-batch 0) reads Hidden[0]");
    }
}
