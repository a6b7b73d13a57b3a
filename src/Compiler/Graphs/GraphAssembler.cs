using System.Collections.Generic;
using System.Linq;

namespace Kvpr.Graphs
{
    /// <summary>
    /// Appends nodes and gives each the dependencies its buffer uses call for: the last writer of what it
    /// reads, and for what it writes the last writer and every reader since (so a double-buffer slot is
    /// only refilled once the layer that used it is done with it). Dependencies implied by others are left
    /// out, so each edge an executor turns into an event is one that matters.
    /// </summary>
    internal sealed class GraphAssembler
    {
        private readonly int _chunks;
        private readonly List<GraphNode> _nodes = new();
        private readonly List<NodeSet> _ancestors = new();
        private readonly RegionHistory _history = new();

        public GraphAssembler(int activationChunks) => _chunks = activationChunks;

        public IReadOnlyList<GraphNode> Nodes => _nodes;

        public void Add(OpKind op, int layer, int microBatch, StreamKind stream, TokenRange tokens, BufferUse[] reads, BufferUse[] writes, WeightPart? part = null)
        {
            var needed = new SortedSet<int>();
            foreach (var region in reads.SelectMany(use => BufferRegion.Of(use, microBatch, _chunks)))
                if (_history.LastWriter(region) is int writer)
                    needed.Add(writer);
            foreach (var region in writes.SelectMany(use => BufferRegion.Of(use, microBatch, _chunks)))
                needed.UnionWith(_history.UsersBefore(layer, microBatch, region));

            int id = _nodes.Count;
            var ancestors = new NodeSet(id + 1);
            foreach (int dependency in needed)
            {
                ancestors.Add(dependency);
                ancestors.UnionWith(_ancestors[dependency]);
            }
            var direct = needed.Where(d => !needed.Any(other => other != d && _ancestors[other].Contains(d))).ToArray();
            var node = new GraphNode(id, op, layer, microBatch, stream, tokens, reads, writes, direct, part);
            _nodes.Add(node);
            _ancestors.Add(ancestors);
            _history.Record(node, _chunks);
        }
    }
}
