using System.Collections.Generic;
using System.Linq;
using Kvpr.Graphs;

namespace Kvpr
{
    /// <summary>
    /// A step as the device ran it (see <see cref="GenerationOptions.RecordTimeline"/>): one entry per graph node
    /// that did work in the step, in graph order, timed from an event recorded before the first node.
    /// </summary>
    /// <param name="Graph">The execution graph the step ran; <see cref="TimedNode.NodeId"/> indexes its nodes.</param>
    public sealed record StepTimeline(ExecutionGraph Graph, IReadOnlyList<TimedNode> Nodes)
    {
        /// <summary>From the step's start until its last node ended.</summary>
        public double SpanMicroseconds => Nodes.Count == 0 ? 0 : Nodes.Max(n => n.EndMicroseconds);

        /// <summary>Microseconds the nodes of <paramref name="stream"/> kept it busy.</summary>
        public double BusyMicroseconds(StreamKind stream) => Nodes.Where(n => n.Stream == stream).Sum(n => n.DurationMicroseconds);
    }
}
