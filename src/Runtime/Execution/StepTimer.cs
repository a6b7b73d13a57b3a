using System.Collections.Generic;
using System.Linq;
using Kvpr.Backend;
using Kvpr.Graphs;

namespace Kvpr.Execution
{
    /// <summary>
    /// Times a step's nodes on the device: a timing event recorded on the compute stream before the first node
    /// (which every other stream waits on, so no node starts before it), and a pair around each node that does
    /// work, on the node's own stream. The events are created once and reused by every step.
    /// </summary>
    internal sealed class StepTimer
    {
        private readonly IDevice _device;
        private readonly ExecutionGraph _graph;
        private readonly IEvent _stepStart;
        private readonly IEvent[] _nodeStart, _nodeEnd;
        private readonly List<GraphNode> _timed = new();

        public StepTimer(IDevice device, ExecutionGraph graph)
        {
            _device = device;
            _graph = graph;
            _stepStart = device.CreateTimingEvent();
            _nodeStart = graph.Nodes.Select(_ => device.CreateTimingEvent()).ToArray();
            _nodeEnd = graph.Nodes.Select(_ => device.CreateTimingEvent()).ToArray();
        }

        public void StartStep(IStream compute, IEnumerable<IStream> others)
        {
            _timed.Clear();
            compute.Record(_stepStart);
            foreach (var stream in others)
                stream.Wait(_stepStart);
        }

        public void BeforeNode(GraphNode node, IStream stream)
        {
            _timed.Add(node);
            stream.Record(_nodeStart[node.Id]);
        }

        public void AfterNode(GraphNode node, IStream stream) => stream.Record(_nodeEnd[node.Id]);

        /// <summary>The step's timeline; call once every stream has finished the step.</summary>
        public StepTimeline Read() => new(_graph, _timed
            .Select(node => new TimedNode(node.Id, node.Op, node.Layer, node.MicroBatch, node.Stream,
                _device.ElapsedMicroseconds(_stepStart, _nodeStart[node.Id]), _device.ElapsedMicroseconds(_nodeStart[node.Id], _nodeEnd[node.Id])))
            .ToArray());
    }
}
