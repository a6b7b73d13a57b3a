using System.Collections.Generic;
using System.Linq;

namespace Kvpr.Graphs
{
    /// <summary>
    /// Checks that a graph can run: ids are positions, dependencies exist and form no cycle, the node list
    /// is a topological order, every buffer a node reads was written by a node it depends on (and, in a
    /// slot, for its own layer and micro-batch), and no node writes a buffer region that an earlier node it
    /// does not depend on may still be using. Dependencies count transitively; stream order does not, so
    /// an executor may map streams to queues as it likes.
    /// </summary>
    public static class GraphValidator
    {
        /// <summary>Every problem found; empty when the graph is valid.</summary>
        public static IReadOnlyList<SpecError> Validate(ExecutionGraph graph)
        {
            var errors = new List<SpecError>();
            CheckStructure(graph, errors);
            if (errors.Count > 0)
                return errors;
            CheckOrder(graph, errors);
            if (errors.Count > 0)
                return errors;
            CheckBuffers(graph, Ancestors(graph), errors);
            return errors;
        }

        /// <exception cref="InvalidGraphException">The graph has problems; the message lists them.</exception>
        public static void ThrowIfInvalid(ExecutionGraph graph)
        {
            var errors = Validate(graph);
            if (errors.Count > 0)
                throw new InvalidGraphException(errors);
        }

        private static void CheckStructure(ExecutionGraph graph, List<SpecError> errors)
        {
            if (graph.MicroBatches < 1)
                errors.Add(Error("graph", $"MicroBatches must be at least 1, but is {graph.MicroBatches}."));
            if (graph.ActivationChunks < 1)
                errors.Add(Error("graph", $"ActivationChunks must be at least 1, but is {graph.ActivationChunks}."));
            if (graph.Ranks < 1)
                errors.Add(Error("graph", $"Ranks must be at least 1, but is {graph.Ranks}."));
            var nodes = graph.Nodes;
            for (int position = 0; position < nodes.Count; position++)
            {
                var node = nodes[position];
                string field = Name(node);
                if (node.Id != position)
                    errors.Add(Error(field, $"{field} is at position {position}; a node's id must be its position in the list."));
                if (node.Op == OpKind.AllReduce && graph.Ranks == 1)
                    errors.Add(Error(field, $"{field} sums over tensor-parallel ranks, but the graph runs on one rank."));
                if (node.MicroBatch < 0 || node.MicroBatch >= graph.MicroBatches)
                    errors.Add(Error(field, $"{field} is for micro-batch {node.MicroBatch}, outside [0, {graph.MicroBatches})."));
                foreach (var range in new[] { node.Tokens }.Concat(node.Reads.Concat(node.Writes).Select(u => u.Tokens)).Distinct())
                    if (range.Kind == TokenRangeKind.RecomputeChunk && range.Chunks != graph.ActivationChunks)
                        errors.Add(Error(field, $"{field} uses {range}, but the graph cuts the prefix into {graph.ActivationChunks} chunks."));
                foreach (int dependency in node.DependsOn)
                    if (dependency < 0 || dependency >= nodes.Count || dependency == node.Id)
                        errors.Add(Error(field, $"{field} depends on #{dependency}, which is not another node of the graph."));
            }
        }

        private static void CheckOrder(ExecutionGraph graph, List<SpecError> errors)
        {
            var cycle = FindCycle(graph.Nodes);
            if (cycle is not null)
            {
                errors.Add(Error(Name(graph.Nodes[cycle[0]]), $"Nodes {string.Join(" → ", cycle.Select(id => "#" + id))} depend on each other in a cycle (each depends on the next)."));
                return;
            }
            foreach (var node in graph.Nodes)
                foreach (int dependency in node.DependsOn.Where(d => d > node.Id))
                    errors.Add(Error(Name(node), $"{Name(node)} depends on the later node #{dependency}; the node list must be a topological order."));
        }

        /// <summary>A dependency cycle as a list of ids starting and ending with the same node, or null.</summary>
        private static List<int>? FindCycle(IReadOnlyList<GraphNode> nodes)
        {
            // With every dependency pointing backwards there can be no cycle; only search when one points forwards.
            if (nodes.All(node => node.DependsOn.All(d => d < node.Id)))
                return null;
            var done = new bool[nodes.Count];
            var onPath = new bool[nodes.Count];
            for (int root = 0; root < nodes.Count; root++)
            {
                if (done[root])
                    continue;
                // Iterative depth-first search: a long chain of layers must not overflow the stack.
                var path = new List<(int Id, int Next)> { (root, 0) };
                onPath[root] = true;
                while (path.Count > 0)
                {
                    var (id, next) = path[path.Count - 1];
                    if (next == nodes[id].DependsOn.Count)
                    {
                        path.RemoveAt(path.Count - 1);
                        onPath[id] = false;
                        done[id] = true;
                        continue;
                    }
                    path[path.Count - 1] = (id, next + 1);
                    int dependency = nodes[id].DependsOn[next];
                    if (onPath[dependency])
                        return path.Select(p => p.Id).SkipWhile(p => p != dependency).Append(dependency).ToList();
                    if (!done[dependency])
                    {
                        path.Add((dependency, 0));
                        onPath[dependency] = true;
                    }
                }
            }
            return null;
        }

        /// <summary>For each node, the set of nodes that end before it starts, through any chain of dependencies.</summary>
        private static NodeSet[] Ancestors(ExecutionGraph graph)
        {
            var ancestors = new NodeSet[graph.Nodes.Count];
            foreach (var node in graph.Nodes)
            {
                var set = new NodeSet(graph.Nodes.Count);
                foreach (int dependency in node.DependsOn)
                {
                    set.Add(dependency);
                    set.UnionWith(ancestors[dependency]);
                }
                ancestors[node.Id] = set;
            }
            return ancestors;
        }

        private static void CheckBuffers(ExecutionGraph graph, NodeSet[] ancestors, List<SpecError> errors)
        {
            var history = new RegionHistory();
            foreach (var node in graph.Nodes)
            {
                string field = Name(node);
                foreach (var use in node.Reads)
                {
                    foreach (var region in BufferRegion.Of(use, node.MicroBatch, graph.ActivationChunks))
                    {
                        if (history.LastWriter(region) is not int writerId)
                        {
                            if (!use.IsFilledOutsideStep)
                                errors.Add(Error(field, $"{field} reads {use}, but no earlier node writes {region}."));
                            continue;
                        }
                        var writer = graph.Nodes[writerId];
                        if (!ancestors[node.Id].Contains(writerId))
                            errors.Add(Error(field, $"{field} reads {region} written by {Name(writer)}, but does not depend on it."));
                        else if (use.IsSlot && !SameOwner(use.Buffer, writer, node))
                            errors.Add(Error(field, $"{field} reads {region}, which holds data of {Name(writer)}, not of its own layer and micro-batch."));
                    }
                }
                foreach (var region in node.Writes.SelectMany(use => BufferRegion.Of(use, node.MicroBatch, graph.ActivationChunks)))
                    foreach (int user in history.UsersBefore(node.Layer, node.MicroBatch, region).Where(u => u != node.Id && !ancestors[node.Id].Contains(u)))
                        errors.Add(Error(field, $"{field} overwrites {region} while {Name(graph.Nodes[user])}, which it does not depend on, may still use it."));
                history.Record(node, graph.ActivationChunks);
            }
        }

        /// <summary>Slot contents belong to one layer (weights) or one layer and micro-batch (KV, activations).</summary>
        private static bool SameOwner(BufferKind buffer, GraphNode writer, GraphNode reader) =>
            writer.Layer == reader.Layer && (buffer == BufferKind.WeightSlot || writer.MicroBatch == reader.MicroBatch);

        private static string Name(GraphNode node)
        {
            string layer = node.Layer == GraphNode.NoLayer ? "" : $" layer {node.Layer}";
            string chunk = node.Tokens.Kind == TokenRangeKind.RecomputeChunk ? $" chunk {node.Tokens.Chunk}" : "";
            return $"node #{node.Id} ({node.Op}{layer}{chunk} micro-batch {node.MicroBatch})";
        }

        private static SpecError Error(string field, string message) => new(ErrorCodes.InvalidGraph, field, message);
    }
}
