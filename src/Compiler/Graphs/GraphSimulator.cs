using System;
using System.Collections.Generic;
using System.Linq;
using Kvpr.Planning;

namespace Kvpr.Graphs
{
    /// <summary>
    /// Plays a graph on a modelled machine. A node starts when its stream has finished the nodes before it,
    /// its dependencies have ended, and the engine it needs is free: streams of the same copy direction share
    /// one PCIe link (a copy engine moves one copy at a time), and all compute shares the GPU. When several
    /// streams could use the link, the copy that can start first goes first (ties by node order), as a copy
    /// engine serves whichever queue is ready. The CPU lane (CPU attention) is an engine of its own. Durations come from
    /// <see cref="GraphCost"/>.
    /// </summary>
    public static class GraphSimulator
    {
        private enum Engine { Gpu, HostToDeviceLink, DeviceToHostLink, Cpu }

        /// <exception cref="InvalidGraphException">The graph is not valid.</exception>
        public static SimulatedStep Run(ExecutionGraph graph, StepShape shape, CostModel costs)
        {
            if (graph is null)
                throw new ArgumentNullException(nameof(graph));
            if (shape is null)
                throw new ArgumentNullException(nameof(shape));
            if (shape.Batch < 1 || shape.Length < 0 || shape.RecomputeTokens < 0 || shape.HostTokens < 0 || shape.RecomputeTokens + shape.HostTokens > shape.Length)
                throw new ArgumentOutOfRangeException(nameof(shape), shape, "A step needs Batch ≥ 1 and 0 ≤ RecomputeTokens, 0 ≤ HostTokens, RecomputeTokens + HostTokens ≤ Length.");
            GraphValidator.ThrowIfInvalid(graph);
            var cost = new GraphCost(costs, graph);

            var nodes = graph.Nodes;
            var timings = new NodeTiming?[nodes.Count];
            var queues = nodes.GroupBy(n => n.Stream).ToDictionary(g => g.Key, g => new Queue<GraphNode>(g));
            var streamFree = queues.Keys.ToDictionary(s => s, _ => 0.0);
            var engineFree = new Dictionary<Engine, double> { [Engine.Gpu] = 0, [Engine.HostToDeviceLink] = 0, [Engine.DeviceToHostLink] = 0, [Engine.Cpu] = 0 };

            for (int scheduled = 0; scheduled < nodes.Count; scheduled++)
            {
                // Among the nodes at the head of their stream whose dependencies have ended, run the one that can start first.
                GraphNode? next = null;
                double nextStart = double.PositiveInfinity;
                bool nextIsNoOp = false;
                foreach (var queue in queues.Values.Where(q => q.Count > 0))
                {
                    var head = queue.Peek();
                    if (head.DependsOn.Any(d => timings[d] is null))
                        continue;
                    bool isNoOp = head.IsNoOpFor(shape);
                    double start = Math.Max(streamFree[head.Stream], head.DependsOn.Select(d => timings[d]!.EndSeconds).DefaultIfEmpty(0).Max());
                    if (!isNoOp)
                        start = Math.Max(start, engineFree[EngineOf(head.Stream)]);
                    if (start < nextStart || (start == nextStart && head.Id < next!.Id))
                        (next, nextStart, nextIsNoOp) = (head, start, isNoOp);
                }

                var node = next ?? throw new InvalidOperationException("No node is ready although the graph is a valid topological order.");
                queues[node.Stream].Dequeue();
                double end = nextStart + cost.Seconds(node, shape);
                timings[node.Id] = new NodeTiming(node, nextStart, end, cost.Work(node, shape), nextIsNoOp);
                streamFree[node.Stream] = end;
                if (!nextIsNoOp)
                    engineFree[EngineOf(node.Stream)] = end;
            }
            return new SimulatedStep(graph, shape, timings.Select(t => t!).ToArray());
        }

        private static Engine EngineOf(StreamKind stream) => stream switch
        {
            StreamKind.Compute => Engine.Gpu,
            StreamKind.DeviceToHost or StreamKind.Store => Engine.DeviceToHostLink,
            StreamKind.CpuLane => Engine.Cpu,
            _ => Engine.HostToDeviceLink,
        };
    }
}
