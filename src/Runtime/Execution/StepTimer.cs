using System;
using System.Collections.Generic;
using System.Linq;
using Kvpr.Backend;
using Kvpr.Graphs;

namespace Kvpr.Execution
{
    /// <summary>
    /// Times a step's nodes on the device: a timing event recorded on the compute stream before the first node
    /// (which every other stream waits on, so no node starts before it), and a pair around each node that does
    /// work, on the node's own stream. The events are created once and reused by every step, but the first step's start:
    /// it is the origin every later step's <see cref="StepTimeline.StartMicroseconds"/> counts from, so the parts of a
    /// prefill (each a step here) and the steps after them line up on one clock.
    /// </summary>
    internal sealed class StepTimer
    {
        private readonly IDevice _device;
        private readonly ExecutionGraph _graph;
        private readonly IEvent _origin, _laterStart;
        // The origin for the first step, then the start event every later step records again.
        private IEvent? _stepStart;
        private readonly IEvent[] _nodeStart, _nodeEnd;
        private readonly List<GraphNode> _timed = new();

        public StepTimer(IDevice device, ExecutionGraph graph)
        {
            _device = device;
            _graph = graph;
            _origin = device.CreateTimingEvent();
            _laterStart = device.CreateTimingEvent();
            _nodeStart = graph.Nodes.Select(_ => device.CreateTimingEvent()).ToArray();
            _nodeEnd = graph.Nodes.Select(_ => device.CreateTimingEvent()).ToArray();
        }

        public void StartStep(IStream compute, IEnumerable<IStream> others)
        {
            _timed.Clear();
            var start = _stepStart is null ? _origin : _laterStart;
            compute.Record(start);
            foreach (var stream in others)
                stream.Wait(start);
            _stepStart = start;
        }

        public void BeforeNode(GraphNode node, IStream stream)
        {
            _timed.Add(node);
            stream.Record(_nodeStart[node.Id]);
        }

        public void AfterNode(GraphNode node, IStream stream) => stream.Record(_nodeEnd[node.Id]);

        /// <summary>The step's timeline; call once every stream has finished the step.</summary>
        public StepTimeline Read() => Read(_stepStart ?? throw new InvalidOperationException("No step was started."));

        private StepTimeline Read(IEvent stepStart) => new(_graph, _timed
            .Select(node => new TimedNode(node.Id, node.Op, node.Layer, node.MicroBatch, node.Stream,
                _device.ElapsedMicroseconds(stepStart, _nodeStart[node.Id]), _device.ElapsedMicroseconds(_nodeStart[node.Id], _nodeEnd[node.Id])))
            .ToArray()) { StartMicroseconds = _device.ElapsedMicroseconds(_origin, stepStart) };
    }
}
