using System.Linq;
using Kvpr.Graphs;
using Kvpr.Planning;

namespace Kvpr.Compiler.Tests.Graphs;

/// <summary>A streamed layer crosses in pieces that tile its elements; the graph loads each once, in order, on the weight stream.</summary>
public class WeightPartTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(10, 3)]
    [InlineData(1_234_567_891L, 37)]
    public void Pieces_tile_a_layer_in_order(long elements, int count)
    {
        var ranges = Enumerable.Range(0, count).Select(i => new WeightPart(i, count).Range(elements)).ToArray();
        ranges[0].Start.ShouldBe(0);
        ranges[^1].End.ShouldBe(elements);
        ranges.Zip(ranges.Skip(1)).ShouldAllBe(pair => pair.First.End == pair.Second.Start);
        ranges.ShouldAllBe(r => r.End - r.Start >= elements / count && r.End - r.Start <= elements / count + 1);
    }

    [Fact]
    public void A_layer_crosses_in_pieces_of_at_most_the_target_size()
    {
        var spec = ModelCatalog.Get("opt-30b");
        long bytes = spec.LayerWeightElements * spec.ElementBytes;
        int count = WeightPart.CountFor(spec);
        (bytes / count).ShouldBeLessThanOrEqualTo(WeightPart.TargetBytes);
        (bytes / (count - 1)).ShouldBeGreaterThan(WeightPart.TargetBytes);
        WeightPart.CountFor(ModelCatalog.Get("kvpr-tiny")).ShouldBe(1);
    }

    [Fact]
    public void Each_streamed_layer_loads_every_piece_once_before_its_compute_into_alternating_slots()
    {
        var spec = ModelCatalog.Get("opt-6.7b");
        int count = WeightPart.CountFor(spec);
        var residency = new Residency(0, 20);
        var graph = ExecutionGraphBuilder.ColumnByColumn(spec, residency, 2, 1);
        var streamed = residency.StreamedLayers(spec.Layers);
        for (int i = 0; i < streamed.Count; i++)
        {
            var loads = graph.Nodes.Where(n => n.Op == OpKind.LoadWeights && n.Layer == streamed[i]).ToArray();
            loads.Select(n => n.Part).ShouldBe(Enumerable.Range(0, count).Select(p => new WeightPart(p, count)));
            loads.ShouldAllBe(n => n.Stream == StreamKind.ActivationLoad && n.Writes.Single().Index == i % 2);
            var firstCompute = graph.Nodes.First(n => n.Layer == streamed[i] && n.Stream == StreamKind.Compute);
            firstCompute.Id.ShouldBeGreaterThan(loads[^1].Id);
        }
    }

    [Fact]
    public void A_piece_that_does_not_exist_is_refused()
    {
        Should.Throw<System.InvalidOperationException>(() => new WeightPart(3, 3).Range(10)).Message.ShouldContain("piece 3 of 3");
    }

    [Theory]
    [InlineData("opt-30b", 28, 16)]
    [InlineData("opt-30b", 15, 16)]
    [InlineData("opt-30b", 0, 4)]
    [InlineData("opt-13b", 26, 1)]
    [InlineData("llama-2-7b", 31, 3)]
    public void Pieces_join_the_activation_queue_after_their_slot_is_free_and_before_their_layer(string model, int resident, int microBatches)
    {
        var spec = ModelCatalog.Get(model);
        var residency = new Residency(0, resident);
        var graph = microBatches == 1 ? ExecutionGraphBuilder.RowByRow(spec, residency, 2) : ExecutionGraphBuilder.ColumnByColumn(spec, residency, microBatches, 2);
        var queue = graph.Nodes.Where(n => n.Stream == (microBatches == 1 ? StreamKind.HostToDevice : StreamKind.ActivationLoad)).ToArray();
        var streamed = residency.StreamedLayers(spec.Layers);
        int count = WeightPart.CountFor(spec);

        // In queue order, the pieces are the streamed layers' pieces one layer after another.
        queue.Where(n => n.Op == OpKind.LoadWeights).Select(n => (n.Layer, n.Part.Index))
            .ShouldBe(streamed.SelectMany(l => Enumerable.Range(0, count).Select(p => (l, p))));
        for (int k = 0; k < streamed.Count; k++)
        {
            var pieces = graph.Nodes.Where(n => n.Op == OpKind.LoadWeights && n.Layer == streamed[k]).ToArray();
            pieces.Max(n => n.Id).ShouldBeLessThan(graph.Nodes.First(n => n.Layer == streamed[k] && n.Op != OpKind.LoadWeights).Id);
            if (k >= 2)
                pieces.Min(n => n.Id).ShouldBeGreaterThan(graph.Nodes.Last(n => n.Layer == streamed[k - 2] && n.Op != OpKind.LoadWeights).Id);
        }
    }
}
