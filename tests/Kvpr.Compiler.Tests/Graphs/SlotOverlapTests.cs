using System;
using System.Collections.Generic;
using System.Linq;
using Kvpr.Graphs;
using Kvpr.Planning;

namespace Kvpr.Compiler.Tests.Graphs;

/// <summary>
/// The graphs' dependencies against the slots' memory itself rather than their symbolic regions: with l and l₂ changing
/// from layer to layer and micro-batches of different sizes, every two nodes that touch one element of a KV or activation
/// slot, one of them writing it, must be ordered by a chain of dependencies. (A chunk of layer i + 1 lies where another chunk
/// of layer i lay when l changes; the GPU selftest caught that race on the CUDA streams.)
/// </summary>
public class SlotOverlapTests
{
    private const int Length = 40;

    public static IEnumerable<object[]> Configurations()
    {
        foreach (var schedule in new[] { ScheduleKind.RowByRow, ScheduleKind.ColumnByColumn })
            foreach (int microBatches in schedule == ScheduleKind.RowByRow ? new[] { 1 } : new[] { 1, 2, 3 })
                foreach (int chunks in new[] { 1, 2, 3 })
                    foreach (bool hostAttention in new[] { false, true })
                        foreach (int seed in new[] { 1, 2, 3 })
                            yield return new object[] { schedule, microBatches, chunks, hostAttention, seed };
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Nodes_that_touch_the_same_slot_element_are_ordered_when_splits_change_per_layer(ScheduleKind schedule, int microBatches, int chunks, bool hostAttention, int seed)
    {
        var spec = ModelSpec.Opt("slots", hidden: 64, layers: 6, heads: 4, ffnHidden: 256, vocab: 64, maxPositions: 128);
        var graph = ExecutionGraphBuilder.Build(schedule, spec, new Residency(1, spec.Layers), microBatches, chunks, hostAttention);
        var random = new Random(seed);
        var sequences = Enumerable.Range(0, microBatches).Select(_ => random.Next(1, 4)).ToArray();
        var shapes = Enumerable.Range(0, spec.Layers).Select(_ =>
        {
            int recompute = random.Next(0, Length + 1), host = hostAttention ? random.Next(0, Length - recompute + 1) : 0;
            return (Recompute: recompute, Host: host);
        }).ToArray();
        var ancestors = Ancestors(graph);

        var touches = graph.Nodes.SelectMany(node =>
            node.Reads.Select(use => (node, use, write: false)).Concat(node.Writes.Select(use => (node, use, write: true))))
            .Where(t => t.use.Buffer is BufferKind.KvSlot or BufferKind.ActivationSlot)
            .Select(t => (t.node, t.write, Slot: (t.use.Buffer, t.use.Index), Elements: Elements(t.use, t.node, sequences, shapes)))
            .ToArray();
        var unordered = new List<string>();
        for (int later = 0; later < touches.Length; later++)
            for (int earlier = 0; earlier < later; earlier++)
            {
                var (a, b) = (touches[earlier], touches[later]);
                if (a.node.Id == b.node.Id || a.Slot != b.Slot || !(a.write || b.write) || !a.Elements.Overlaps(b.Elements))
                    continue;
                if (!ancestors[b.node.Id].Contains(a.node.Id))
                    unordered.Add($"#{a.node.Id} {a.node.Op} (layer {a.node.Layer}, micro-batch {a.node.MicroBatch}) and #{b.node.Id} {b.node.Op} (layer {b.node.Layer}, micro-batch {b.node.MicroBatch}) in {a.Slot}");
            }

        unordered.ShouldBeEmpty();
    }

    /// <summary>
    /// The elements of a slot a use touches, with the hidden and KV widths taken as 1: a KV slot holds [sequence][capacity]
    /// rows like the host store; an activation slot holds a chunk's rows of every sequence densely from sequences × start.
    /// </summary>
    private static HashSet<int> Elements(BufferUse use, GraphNode node, int[] sequences, (int Recompute, int Host)[] shapes)
    {
        int batch = sequences[node.MicroBatch];
        var (start, end) = use.Tokens.Resolve(new StepShape(batch, Length, shapes[node.Layer].Recompute, shapes[node.Layer].Host));
        if (use.Buffer == BufferKind.ActivationSlot)
            return Enumerable.Range(batch * start, batch * (end - start)).ToHashSet();
        return Enumerable.Range(0, batch).SelectMany(s => Enumerable.Range(s * (Length + 1) + start, end - start)).ToHashSet();
    }

    private static HashSet<int>[] Ancestors(ExecutionGraph graph)
    {
        var ancestors = new HashSet<int>[graph.Nodes.Count];
        foreach (var node in graph.Nodes)
        {
            ancestors[node.Id] = new HashSet<int>(node.DependsOn);
            foreach (int dependency in node.DependsOn)
                ancestors[node.Id].UnionWith(ancestors[dependency]);
        }
        return ancestors;
    }
}
