using System.Collections.Generic;
using System.Linq;
using Kvpr.Planning;

namespace Kvpr.Graphs
{
    /// <summary>The timeline of one decode step of a graph: each node's start and end, in node order.</summary>
    public sealed class SimulatedStep
    {
        public SimulatedStep(ExecutionGraph graph, StepShape shape, IReadOnlyList<NodeTiming> timings)
        {
            Graph = graph;
            Shape = shape;
            Timings = timings;
            StepSeconds = timings.Count == 0 ? 0 : timings.Max(t => t.EndSeconds);
        }

        public ExecutionGraph Graph { get; }
        public StepShape Shape { get; }
        /// <summary>One entry per node, indexed by node id.</summary>
        public IReadOnlyList<NodeTiming> Timings { get; }
        /// <summary>When the last node ends: the simulated step time.</summary>
        public double StepSeconds { get; }

        /// <summary>Seconds the nodes of a stream keep it busy (no-ops excluded).</summary>
        public double BusySeconds(StreamKind stream) => Timings.Where(t => t.Node.Stream == stream).Sum(t => t.Seconds);
    }
}
