using System;
using System.Linq;
using Kvpr.Graphs;
using Kvpr.Json;
using Kvpr.Parallelism;
using Kvpr.Planning;

namespace Kvpr.Compiler.Tests.Graphs;

/// <summary>The graph of one tensor-parallel rank: an all-reduce after each layer's attention and its MLP, priced over the interconnect.</summary>
public class TensorParallelGraphTests
{
    private const double InterconnectBytesPerSecond = 100e9;
    private static readonly ModelSpec Opt13 = ModelCatalog.Get("opt-13b");

    [Theory]
    [InlineData(ScheduleKind.RowByRow, 1, false)]
    [InlineData(ScheduleKind.ColumnByColumn, 3, false)]
    [InlineData(ScheduleKind.RowByRow, 1, true)]
    public void Each_layers_attention_and_mlp_are_followed_by_an_all_reduce_of_the_hidden_state(ScheduleKind schedule, int microBatches, bool hostAttention)
    {
        var rank = TensorParallel.For(Opt13, 4).RankSpec;

        var graph = ExecutionGraphBuilder.Build(schedule, rank, new Residency(2, 10), microBatches, 2, hostAttention, ranks: 4);

        GraphValidator.Validate(graph).ShouldBeEmpty();
        graph.Ranks.ShouldBe(4);
        var sums = graph.Nodes.Where(n => n.Op == OpKind.AllReduce).ToArray();
        sums.Length.ShouldBe(2 * rank.Layers * microBatches);
        foreach (var sum in sums)
        {
            sum.Stream.ShouldBe(StreamKind.Compute);
            sum.Writes.ShouldBe(new[] { new BufferUse(BufferKind.Hidden, sum.MicroBatch) });
            // The compute stream's previous node of the micro-batch is the block whose partial output it sums.
            var block = graph.Nodes.Last(n => n.Id < sum.Id && n.Stream == StreamKind.Compute && n.MicroBatch == sum.MicroBatch);
            block.Op.ShouldBeOneOf(OpKind.AttentionBlock, OpKind.AttentionOutput, OpKind.MlpBlock);
            block.Layer.ShouldBe(sum.Layer);
        }
        ExecutionGraphBuilder.Build(schedule, Opt13, new Residency(2, 10), microBatches, 2, hostAttention).Nodes.ShouldNotContain(n => n.Op == OpKind.AllReduce);
    }

    [Fact]
    public void An_all_reduce_moves_two_n_minus_one_over_n_of_the_hidden_state_at_the_interconnects_rate()
    {
        var rank = TensorParallel.For(Opt13, 4).RankSpec;
        var graph = ExecutionGraphBuilder.Build(ScheduleKind.RowByRow, rank, new Residency(0, 40), 1, 1, ranks: 4);
        var sum = graph.Nodes.First(n => n.Op == OpKind.AllReduce);
        var costs = new CostModel(rank, Profile(InterconnectBytesPerSecond), CostSettings.Paper);
        var shape = new StepShape(32, 1024, 0);

        long bytes = 32L * 5120 * 2;
        new GraphCost(costs, graph).Work(sum, shape).Bytes.ShouldBe(2 * 3 * bytes / 4);
        new GraphCost(costs, graph).Seconds(sum, shape).ShouldBe(2.0 * 3 / 4 * bytes / InterconnectBytesPerSecond, 1e-12);
    }

    [Fact]
    public void A_profile_without_an_interconnect_cannot_price_a_split_model()
    {
        var rank = TensorParallel.For(Opt13, 2).RankSpec;
        var graph = ExecutionGraphBuilder.Build(ScheduleKind.RowByRow, rank, new Residency(0, 40), 1, 1, ranks: 2);

        var error = Should.Throw<InvalidOperationException>(() => GraphSimulator.Run(graph, new StepShape(8, 128, 0), new CostModel(rank, Profile(null))));

        error.Message.ShouldContain("has no interconnectGBps");
        error.Message.ShouldContain("split over 2 GPUs");
    }

    [Fact]
    public void The_all_reduces_show_in_the_chrome_trace_and_the_graph_json()
    {
        var rank = TensorParallel.For(Opt13, 2).RankSpec;
        var graph = ExecutionGraphBuilder.Build(ScheduleKind.RowByRow, rank, new Residency(0, 40), 1, 1, ranks: 2);
        var step = GraphSimulator.Run(graph, new StepShape(8, 128, 0), new CostModel(rank, Profile(InterconnectBytesPerSecond)));

        var names = JsonParser.Parse(ChromeTrace.Write(new[] { step }), "trace.json").Required("traceEvents").Items
            .Where(e => e.Required("ph").AsString() == "X").Select(e => e.Required("name").AsString()).ToArray();

        names.Count(n => n.StartsWith("AllReduce L", StringComparison.Ordinal)).ShouldBe(2 * rank.Layers);
        JsonParser.Parse(GraphJsonWriter.Write(graph), "graph.json").Required("ranks").AsInt().ShouldBe(2);
        graph.ToString().ShouldContain("2 tensor-parallel ranks");
    }

    [Fact]
    public void An_all_reduce_in_a_graph_of_one_rank_is_refused()
    {
        var split = ExecutionGraphBuilder.Build(ScheduleKind.RowByRow, Opt13, new Residency(0, 40), 1, 1, ranks: 2);

        var errors = GraphValidator.Validate(split with { Ranks = 1 });

        errors.ShouldContain(e => e.Code == ErrorCodes.InvalidGraph && e.Message.Contains("sums over tensor-parallel ranks"));
    }

    private static HardwareProfile Profile(double? interconnect) => HardwareProfiles.Default with { InterconnectBytesPerSecond = interconnect };
}
