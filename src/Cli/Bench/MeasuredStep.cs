using System;
using System.Linq;
using Kvpr.Graphs;
using Kvpr.Planning;

namespace Kvpr.Cli.Bench
{
    /// <summary>
    /// A measured step in the simulator's shape, so the measured and the predicted step are drawn by the same
    /// <see cref="ChromeTrace"/> and <see cref="TimelineSvg"/> writers, with the same lanes. Times are the
    /// device's; each node's bytes and FLOPs are the cost model's count of its work.
    /// </summary>
    internal static class MeasuredStep
    {
        public static SimulatedStep ToSimulated(StepStatistics step, CostModel costs)
        {
            var timeline = step.Timeline ?? throw new ArgumentException($"Step {step.Step} was run without recording its timeline.", nameof(step));
            if (timeline.Nodes.Any(n => n.Part > 0))
                throw new ArgumentException($"Step {step.Step} ran the graph in parts (a chunked prefill); a simulated step is one run of it.", nameof(step));
            var shape = new StepShape(step.Sequences, step.Length, step.RecomputeTokens.DefaultIfEmpty(0).Max());
            var work = new GraphCost(costs, timeline.Graph);
            var measured = timeline.Nodes.ToDictionary(n => n.NodeId);
            var timings = timeline.Graph.Nodes
                .Select(node => measured.TryGetValue(node.Id, out var timed)
                    ? new NodeTiming(node, timed.StartMicroseconds / 1e6, timed.EndMicroseconds / 1e6, work.Work(node, shape), IsNoOp: false)
                    : new NodeTiming(node, 0, 0, NodeWork.None, IsNoOp: true))
                .ToArray();
            return new SimulatedStep(timeline.Graph, shape, timings);
        }
    }
}
