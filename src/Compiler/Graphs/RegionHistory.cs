using System.Collections.Generic;
using System.Linq;

namespace Kvpr.Graphs
{
    /// <summary>
    /// Walking a graph in order: for each buffer region, the node that last wrote it and the nodes that read
    /// it since. The builder derives dependencies from it; the validator checks them against it.
    /// </summary>
    internal sealed class RegionHistory
    {
        private readonly Dictionary<BufferRegion, (int? Writer, List<int> Readers)> _regions = new();

        public int? LastWriter(BufferRegion region) => _regions.TryGetValue(region, out var state) ? state.Writer : null;

        /// <summary>The nodes a new writer of the region must wait for: its last writer and every reader since.</summary>
        public IEnumerable<int> UsersSinceWrite(BufferRegion region)
        {
            if (!_regions.TryGetValue(region, out var state))
                return Enumerable.Empty<int>();
            return state.Writer is int writer ? state.Readers.Append(writer) : state.Readers;
        }

        /// <summary>Records a node's accesses, reads before writes (a node may read and update the same region).</summary>
        public void Record(GraphNode node, int chunks)
        {
            foreach (var region in node.Reads.SelectMany(use => BufferRegion.Of(use, node.MicroBatch, chunks)))
                State(region).Readers.Add(node.Id);
            foreach (var region in node.Writes.SelectMany(use => BufferRegion.Of(use, node.MicroBatch, chunks)))
                _regions[region] = (node.Id, new List<int>());
        }

        private (int? Writer, List<int> Readers) State(BufferRegion region)
        {
            if (!_regions.TryGetValue(region, out var state))
                _regions.Add(region, state = (null, new List<int>()));
            return state;
        }
    }
}
