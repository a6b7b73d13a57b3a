using System.Linq;
using Kvpr.Graphs;
using Kvpr.Json;
using Kvpr.Planning;

namespace Kvpr.Compiler.Tests.Graphs;

public class GraphExportTests
{
    private static readonly ModelSpec Tiny = ModelCatalog.Get(ModelCatalog.TinyName);
    private static readonly CostModel Costs = new(Tiny, HardwareProfiles.Default);

    [Fact]
    public void Chrome_trace_parses_and_has_one_complete_event_per_node_that_does_something()
    {
        var graph = ExecutionGraphBuilder.ColumnByColumn(Tiny, new Residency(1, 2), 2, 4);
        var steps = new[]
        {
            GraphSimulator.Run(graph, new StepShape(4, 60, 0), Costs),
            GraphSimulator.Run(graph, new StepShape(4, 61, 3), Costs),
        };

        var root = JsonParser.Parse(ChromeTrace.Write(steps), "trace.json");
        var events = root.Required("traceEvents").Items;
        var complete = events.Where(e => e.Required("ph").AsString() == "X").ToArray();
        for (int step = 0; step < steps.Length; step++)
        {
            var inStep = complete.Where(e => e.Required("pid").AsInt() == step).ToArray();
            inStep.Length.ShouldBe(steps[step].Timings.Count(t => !t.IsNoOp));
            inStep.Length.ShouldBeLessThan(graph.Nodes.Count); // the no-op chunks are left out
        }
        var threadNames = events.Where(e => e.Required("ph").AsString() == "M" && e.Required("name").AsString() == "thread_name" && e.Required("pid").AsInt() == 0)
            .Select(e => e.Required("args").Required("name").AsString());
        threadNames.ShouldBe(graph.Streams.Select(s => s.ToString()), ignoreOrder: true);

        // The second step starts where the first ended; times are microseconds.
        var first = complete.Where(e => e.Required("pid").AsInt() == 1).Min(e => e.Required("ts").AsNumber());
        first.ShouldBeGreaterThanOrEqualTo(steps[0].StepSeconds * 1e6 - 1e-6);

        var recompute = complete.First(e => e.Required("name").AsString() == "RecomputeKv L1 mb0 c0" && e.Required("pid").AsInt() == 1);
        var args = recompute.Required("args");
        args.Required("layer").AsInt().ShouldBe(1);
        args.Required("microBatch").AsInt().ShouldBe(0);
        args.Required("flops").AsLong().ShouldBe(2L * 4 * 1 * 256 * 2 * 256); // chunk 0 of ⌈3/4⌉ = 1 token
        args.Required("bytes").AsLong().ShouldBeGreaterThan(0);
        recompute.Required("dur").AsNumber().ShouldBeGreaterThan(0);
    }

    [Fact]
    public void Graph_json_lists_every_node_with_its_buffers_and_dependencies_and_the_timeline()
    {
        var graph = ExecutionGraphBuilder.RowByRow(Tiny, new Residency(0, 0), 2);
        var step = GraphSimulator.Run(graph, new StepShape(1, 10, 4), Costs);

        var root = JsonParser.Parse(GraphJsonWriter.Write(graph, step), "graph.json");
        root.Required("format").AsString().ShouldBe(GraphJsonWriter.FormatId);
        root.Required("schedule").AsString().ShouldBe("RowByRow");
        root.Required("activationChunks").AsInt().ShouldBe(2);
        var nodes = root.Required("nodes").Items;
        nodes.Count.ShouldBe(graph.Nodes.Count);
        nodes[0].Get("layer").ShouldBeNull();

        var attention = graph.Nodes.First(n => n.Op == OpKind.AttentionBlock);
        var json = nodes[attention.Id];
        json.Required("op").AsString().ShouldBe("AttentionBlock");
        json.Required("layer").AsInt().ShouldBe(0);
        json.Required("stream").AsString().ShouldBe("Compute");
        json.Required("dependsOn").Items.Select(i => i.AsInt()).ShouldBe(attention.DependsOn);
        var kvRead = json.Required("reads").Items.Single(r => r.Required("buffer").AsString() == "KvSlot");
        kvRead.Required("tokens").Required("kind").AsString().ShouldBe("Stored");
        var chunk = nodes[graph.Nodes.First(n => n.Op == OpKind.RecomputeKv).Id].Required("tokens");
        (chunk.Required("kind").AsString(), chunk.Required("chunk").AsInt(), chunk.Required("chunks").AsInt()).ShouldBe(("RecomputeChunk", 0, 2));

        var timeline = root.Required("timeline");
        timeline.Required("stepSeconds").AsNumber().ShouldBe(step.StepSeconds);
        timeline.Required("recomputeTokens").AsInt().ShouldBe(4);
        timeline.Required("nodes").Items.Count.ShouldBe(graph.Nodes.Count);
    }

    [Fact]
    public void A_timeline_of_another_graph_is_refused()
    {
        var graph = ExecutionGraphBuilder.RowByRow(Tiny, new Residency(0, 0), 2);
        var other = GraphSimulator.Run(ExecutionGraphBuilder.RowByRow(Tiny, new Residency(0, 0), 3), new StepShape(1, 10, 4), Costs);
        Should.Throw<System.ArgumentException>(() => GraphJsonWriter.Write(graph, other)).ParamName.ShouldBe("timeline");
    }
}
