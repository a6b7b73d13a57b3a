using System.Collections.Generic;
using System.Linq;

namespace Kvpr.Graphs
{
    /// <summary>
    /// Walking a graph in order: for each buffer region, the node that last wrote it and the nodes that read it since;
    /// and for each buffer, the layer and micro-batch it holds data of (its tenant) and who used it for the tenant before.
    /// The builder derives dependencies from it; the validator checks them against it.
    /// </summary>
    internal sealed class RegionHistory
    {
        private readonly Dictionary<BufferRegion, (int? Writer, List<int> Readers)> _regions = new();
        private readonly Dictionary<(BufferKind, int, int), Tenancy> _tenancies = new();

        public int? LastWriter(BufferRegion region) => _regions.TryGetValue(region, out var state) ? state.Writer : null;

        /// <summary>
        /// The nodes that a node of <paramref name="layer"/> and <paramref name="microBatch"/> must wait for before it writes
        /// <paramref name="region"/>: the region's last writer and every reader since, and every node that used the buffer for
        /// its stored tokens for its previous tenant. The pieces of the stored tokens are disjoint only for one tenant: they
        /// resolve with that layer's l and l₂ and that micro-batch's sequences, so chunk 1 of layer i + 1 may lie where chunk 0
        /// of layer i lay. (The new token's row is s' for every layer, and a buffer without token pieces is one region.)
        /// </summary>
        public IEnumerable<int> UsersBefore(int layer, int microBatch, BufferRegion region)
        {
            var users = UsersSinceWrite(region);
            if (!MovesWithSplit(region) || !_tenancies.TryGetValue(Key(region), out var tenancy))
                return users;
            // The current tenant's first write waited for the previous tenant's users, and every later write must too;
            // a new tenant waits for the current one's users (and so, through them, for all before).
            return users.Concat(tenancy.Tenant == (layer, microBatch) ? tenancy.PreviousUsers : tenancy.Users).Distinct();
        }

        /// <summary>Records a node's accesses, reads before writes (a node may read and update the same region).</summary>
        public void Record(GraphNode node, int chunks)
        {
            foreach (var region in node.Reads.SelectMany(use => BufferRegion.Of(use, node.MicroBatch, chunks)))
            {
                State(region).Readers.Add(node.Id);
                if (MovesWithSplit(region))
                    TenancyOf(region).Users.Add(node.Id);
            }
            foreach (var region in node.Writes.SelectMany(use => BufferRegion.Of(use, node.MicroBatch, chunks)))
            {
                _regions[region] = (node.Id, new List<int>());
                if (!MovesWithSplit(region))
                    continue;
                var tenancy = TenancyOf(region);
                if (tenancy.Tenant != (node.Layer, node.MicroBatch))
                {
                    tenancy.Tenant = (node.Layer, node.MicroBatch);
                    tenancy.PreviousUsers = tenancy.Users;
                    tenancy.Users = new List<int>();
                }
                tenancy.Users.Add(node.Id);
            }
        }

        private IEnumerable<int> UsersSinceWrite(BufferRegion region)
        {
            if (!_regions.TryGetValue(region, out var state))
                return Enumerable.Empty<int>();
            return state.Writer is int writer ? state.Readers.Append(writer) : state.Readers;
        }

        private (int? Writer, List<int> Readers) State(BufferRegion region)
        {
            if (!_regions.TryGetValue(region, out var state))
                _regions.Add(region, state = (null, new List<int>()));
            return state;
        }

        private Tenancy TenancyOf(BufferRegion region)
        {
            if (!_tenancies.TryGetValue(Key(region), out var tenancy))
                _tenancies.Add(Key(region), tenancy = new Tenancy());
            return tenancy;
        }

        private static bool MovesWithSplit(BufferRegion region) =>
            region.Tokens.Kind is TokenRangeKind.RecomputeChunk or TokenRangeKind.Transferred or TokenRangeKind.HostAttended;

        private static (BufferKind, int, int) Key(BufferRegion region) => (region.Buffer, region.Index, region.Section);

        /// <summary>Whose data a buffer holds (no tenant before its first write) and who used it for them and for the tenant before.</summary>
        private sealed class Tenancy
        {
            public (int Layer, int MicroBatch)? Tenant;
            public List<int> Users = new();
            public List<int> PreviousUsers = new();
        }
    }
}
