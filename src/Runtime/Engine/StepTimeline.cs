using System.Collections.Generic;
using System.Linq;
using Kvpr.Graphs;

namespace Kvpr
{
    /// <summary>
    /// A step as the device ran it (see <see cref="GenerationOptions.RecordTimeline"/>): one entry per graph node
    /// that did work in each run of the graph (a prefill runs it once per chunk of the prompt, <see cref="TimedNode.Part"/>),
    /// in order, timed from an event recorded before the step's first node.
    /// </summary>
    /// <param name="Graph">The execution graph the step ran; <see cref="TimedNode.NodeId"/> indexes its nodes.</param>
    public sealed record StepTimeline(ExecutionGraph Graph, IReadOnlyList<TimedNode> Nodes)
    {
        /// <summary>
        /// When the step started, in microseconds after the start of the generation's first recorded step (0 for that
        /// one): the device's clock across steps and across the parts of a step.
        /// </summary>
        public double StartMicroseconds { get; init; }

        /// <summary>From the step's start until its last node ended: every part of the step, and any gap between them.</summary>
        public double SpanMicroseconds => Nodes.Count == 0 ? 0 : Nodes.Max(n => n.EndMicroseconds);

        /// <summary>Microseconds the nodes of <paramref name="stream"/> kept it busy.</summary>
        public double BusyMicroseconds(StreamKind stream) => Nodes.Where(n => n.Stream == stream).Sum(n => n.DurationMicroseconds);

        /// <summary>Microseconds the nodes of <paramref name="op"/> ran, over every stream.</summary>
        public double BusyMicroseconds(OpKind op) => Nodes.Where(n => n.Op == op).Sum(n => n.DurationMicroseconds);

        /// <summary>
        /// The timelines of a step's runs of the graph, in order, as one: each part's nodes marked with the part and
        /// timed from the first part's start.
        /// </summary>
        internal static StepTimeline Merge(IReadOnlyList<StepTimeline> parts)
        {
            if (parts.Count == 1)
                return parts[0];
            var first = parts[0];
            var nodes = parts.SelectMany((part, index) => part.Nodes.Select(node => node with
            {
                StartMicroseconds = node.StartMicroseconds + part.StartMicroseconds - first.StartMicroseconds,
                Part = index,
            }));
            return first with { Nodes = nodes.ToArray() };
        }
    }
}
