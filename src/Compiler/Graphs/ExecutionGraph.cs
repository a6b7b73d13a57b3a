using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace Kvpr.Graphs
{
    /// <summary>
    /// The static plan of one decode step: nodes in a topological order (a node's id is its position),
    /// each on a stream, with explicit dependencies and the buffers it uses. Static for a model, residency,
    /// schedule, micro-batch count and chunk count: the step's length and split only decide which nodes are
    /// no-ops and how much each moves. Build one with <see cref="ExecutionGraphBuilder"/>, check it with
    /// <see cref="GraphValidator"/>.
    /// </summary>
    public sealed record ExecutionGraph
    {
        public ExecutionGraph(ScheduleKind schedule, int microBatches, int activationChunks, IReadOnlyList<GraphNode> nodes)
        {
            Schedule = schedule;
            MicroBatches = microBatches;
            ActivationChunks = activationChunks;
            Nodes = (nodes ?? throw new ArgumentNullException(nameof(nodes))).ToArray();
        }

        public ScheduleKind Schedule { get; }
        /// <summary>Micro-batches that run through each layer before the next (1 for row-by-row).</summary>
        public int MicroBatches { get; }
        /// <summary>Chunks the recomputed prefix [0, l) of each offloaded layer is loaded and recomputed in.</summary>
        public int ActivationChunks { get; }
        public IReadOnlyList<GraphNode> Nodes { get; }

        /// <summary>
        /// Devices the model is split over by tensor parallelism, each running this graph on its share of the heads and FFN
        /// columns, the <see cref="OpKind.AllReduce"/> nodes summing their partial outputs; 1 runs the whole model.
        /// </summary>
        public int Ranks { get; init; } = 1;

        /// <summary>The streams the nodes use, in order of first use.</summary>
        public IReadOnlyList<StreamKind> Streams => Nodes.Select(n => n.Stream).Distinct().ToArray();

        /// <summary>
        /// The device buffers the step uses (kind and index, whole-buffer uses), in order of first use: what an
        /// executor allocates besides the host store. Slots are sized for the longest sequence.
        /// </summary>
        public IReadOnlyList<BufferUse> Buffers => Nodes.SelectMany(n => n.Reads.Concat(n.Writes))
            .Select(u => new BufferUse(u.Buffer, u.Index)).Distinct().ToArray();

        public bool Equals(ExecutionGraph? other) => other is not null
            && Schedule == other.Schedule && MicroBatches == other.MicroBatches && ActivationChunks == other.ActivationChunks && Ranks == other.Ranks
            && Nodes.SequenceEqual(other.Nodes);

        public override int GetHashCode() => unchecked((((int)Schedule * 31 + MicroBatches) * 31 + ActivationChunks) * 31 + Nodes.Count);

        /// <summary>The step as text, one line per node, with a comment line where a new layer begins.</summary>
        public override string ToString()
        {
            var text = new StringBuilder()
                .Append("// ").Append(Schedule).Append(", ").Append(MicroBatches).Append(" micro-batch(es), ")
                .Append(ActivationChunks).Append(" activation chunk(s), ").Append(Ranks > 1 ? $"{Ranks} tensor-parallel ranks, " : "").Append(Nodes.Count).Append(" nodes\n");
            int? layer = null;
            foreach (var node in Nodes)
            {
                if (node.Layer != GraphNode.NoLayer && node.Layer != layer)
                    text.Append("// layer ").Append(node.Layer).Append('\n');
                layer = node.Layer == GraphNode.NoLayer ? layer : node.Layer;
                text.Append(node).Append('\n');
            }
            return text.ToString();
        }
    }
}
