using System.Collections.Generic;
using System.Linq;
using Kvpr.Graphs;
using Kvpr.Planning;

namespace Kvpr.Compiler.Tests.Graphs;

/// <summary>
/// Graphs with the CPU lane: an offloaded layer's attention is cut around CPU attention (projection, CPU lane, output),
/// the graphs stay valid, the CPU starts on a layer's queries before the GPU's recompute of that layer, and the
/// simulator runs the lane as an engine of its own, so its work overlaps the link and the GPU.
/// </summary>
public class HostAttentionGraphTests
{
    public static IEnumerable<object[]> Configurations()
    {
        foreach (var name in new[] { ModelCatalog.TinyName, "opt-6.7b", "llama-3-8b" })
            foreach (var (kvResident, weightResident) in new[] { (0, 99), (0, 0), (2, 3) })
                foreach (var (microBatches, chunks) in new[] { (1, 1), (2, 8), (3, 4) })
                    yield return new object[] { name, kvResident, weightResident, microBatches, chunks };
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Graphs_with_the_cpu_lane_are_valid_and_give_every_offloaded_layer_one_cpu_node_per_micro_batch(string model, int kvResident, int weightResident, int microBatches, int chunks)
    {
        var spec = ModelCatalog.Get(model);
        var residency = new Residency(kvResident, System.Math.Min(weightResident, spec.Layers));
        var graphs = new[] { ExecutionGraphBuilder.ColumnByColumn(spec, residency, microBatches, chunks, hostAttention: true) };
        if (microBatches == 1)
            graphs = graphs.Append(ExecutionGraphBuilder.RowByRow(spec, residency, chunks, hostAttention: true)).ToArray();

        foreach (var graph in graphs)
        {
            GraphValidator.Validate(graph).ShouldBeEmpty();
            for (int layer = 0; layer < spec.Layers; layer++)
            {
                var nodes = graph.Nodes.Where(n => n.Layer == layer).ToArray();
                bool offloaded = layer >= kvResident;
                nodes.Count(n => n.Op == OpKind.HostAttention).ShouldBe(offloaded ? microBatches : 0, $"layer {layer}");
                nodes.Count(n => n.Op == OpKind.AttentionBlock).ShouldBe(offloaded ? 0 : microBatches, $"layer {layer}");
                nodes.Where(n => n.Op == OpKind.HostAttention).ShouldAllBe(n => n.Stream == StreamKind.CpuLane && n.Tokens == TokenRange.HostAttended);
            }
        }
    }

    [Fact]
    public void The_cpu_lane_starts_on_a_layers_queries_before_the_gpu_recomputes_that_layer()
    {
        var spec = ModelCatalog.Get("opt-6.7b");
        var graph = ExecutionGraphBuilder.RowByRow(spec, new Residency(0, spec.Layers), 2, hostAttention: true);
        var layer = graph.Nodes.Where(n => n.Layer == 3).ToList();
        int projection = layer.FindIndex(n => n.Op == OpKind.QkvProjection), cpu = layer.FindIndex(n => n.Op == OpKind.HostAttention);
        int firstRecompute = layer.FindIndex(n => n.Op == OpKind.RecomputeKv), output = layer.FindIndex(n => n.Op == OpKind.AttentionOutput);
        projection.ShouldBeLessThan(firstRecompute);
        cpu.ShouldBeLessThan(firstRecompute);
        layer[cpu].DependsOn.ShouldContain(layer[projection].Id);
        layer[output].DependsOn.ShouldContain(layer[cpu].Id);
    }

    [Fact]
    public void Token_ranges_split_the_stored_tokens_three_ways()
    {
        var shape = new StepShape(4, 100, 30, 25);
        TokenRange.RecomputeChunk(0, 1).Resolve(shape).ShouldBe((0, 30));
        TokenRange.Transferred.Resolve(shape).ShouldBe((30, 75));
        TokenRange.HostAttended.Resolve(shape).ShouldBe((75, 100));
        TokenRange.HostAttended.IsEmptyFor(shape with { HostTokens = 0 }).ShouldBeTrue();
        TokenRange.Transferred.IsEmptyFor(shape with { HostTokens = 70 }).ShouldBeTrue();
    }

    [Fact]
    public void Simulated_cpu_attention_overlaps_the_link_and_a_step_without_a_cpu_share_costs_about_what_it_did()
    {
        var spec = ModelCatalog.Get("opt-6.7b");
        var profile = HardwareProfiles.Default with { HostMemoryReadBytesPerSecond = 150e9, HostAttentionBytesPerSecond = 100e9 };
        var costs = new CostModel(spec, profile);
        var residency = new Residency(0, spec.Layers);
        var plain = ExecutionGraphBuilder.RowByRow(spec, residency, 2);
        var lane = ExecutionGraphBuilder.RowByRow(spec, residency, 2, hostAttention: true);

        var without = GraphSimulator.Run(plain, new StepShape(32, 1024, 512), costs);
        var laneIdle = GraphSimulator.Run(lane, new StepShape(32, 1024, 512), costs);
        var shared = GraphSimulator.Run(lane, new StepShape(32, 1024, 512, 256), costs);

        // With no CPU share the lane's nodes are no-ops and the split attention block prices as the whole one; the step is
        // at most what it was (the projection may now run while the GPU waits for the layer's activations).
        laneIdle.StepSeconds.ShouldBeLessThanOrEqualTo(without.StepSeconds);
        laneIdle.StepSeconds.ShouldBe(without.StepSeconds, without.StepSeconds * 1e-3);
        // Moving a quarter of the stored tokens off the link onto the CPU shortens a link-bound step.
        shared.StepSeconds.ShouldBeLessThan(without.StepSeconds);
        double cpuBusy = shared.BusySeconds(StreamKind.CpuLane);
        cpuBusy.ShouldBe(spec.Layers * costs.HostAttentionSeconds(32, 256), cpuBusy * 1e-9);
    }
}
