using System;
using System.Collections.Generic;
using System.Linq;
using Kvpr.Planning;

namespace Kvpr.Graphs
{
    /// <summary>
    /// One operation of a decode step: what it does (<see cref="Op"/>) for which layer, micro-batch and tokens,
    /// on which stream, which device buffers it reads and writes, and which earlier nodes must have ended first.
    /// Plain data with value equality, so generated code can rebuild a graph node by node and compare it.
    /// </summary>
    public sealed record GraphNode
    {
        /// <summary>The <see cref="Layer"/> of nodes outside the decoder layers (embedding, head).</summary>
        public const int NoLayer = -1;

        public GraphNode(int id, OpKind op, int layer, int microBatch, StreamKind stream, TokenRange tokens,
            IReadOnlyList<BufferUse> reads, IReadOnlyList<BufferUse> writes, IReadOnlyList<int> dependsOn, WeightPart? part = null)
        {
            Id = id;
            Op = op;
            Layer = layer;
            MicroBatch = microBatch;
            Stream = stream;
            Tokens = tokens ?? throw new ArgumentNullException(nameof(tokens));
            Reads = (reads ?? throw new ArgumentNullException(nameof(reads))).ToArray();
            Writes = (writes ?? throw new ArgumentNullException(nameof(writes))).ToArray();
            DependsOn = (dependsOn ?? throw new ArgumentNullException(nameof(dependsOn))).ToArray();
            Part = part ?? WeightPart.Whole;
        }

        /// <summary>Position in the graph's node list, which is a topological order.</summary>
        public int Id { get; }
        public OpKind Op { get; }
        /// <summary>Decoder layer from 0, or <see cref="NoLayer"/>.</summary>
        public int Layer { get; }
        /// <summary>The micro-batch from 0; 0 for weight loads, which serve every micro-batch.</summary>
        public int MicroBatch { get; }
        public StreamKind Stream { get; }
        /// <summary>The tokens of each sequence the node works on; the node is a no-op in a step where they are empty.</summary>
        public TokenRange Tokens { get; }
        public IReadOnlyList<BufferUse> Reads { get; }
        public IReadOnlyList<BufferUse> Writes { get; }
        /// <summary>Ids of the nodes that must end before this one starts (besides the ones before it on its stream).</summary>
        public IReadOnlyList<int> DependsOn { get; }
        /// <summary>For <see cref="OpKind.LoadWeights"/>: which piece of the layer's weights it copies; <see cref="WeightPart.Whole"/> otherwise.</summary>
        public WeightPart Part { get; }

        /// <summary>Whether the node has nothing to do in a step of this shape (e.g. loading KV when l = s').</summary>
        public bool IsNoOpFor(StepShape shape) => Tokens.IsEmptyFor(shape);

        public bool Equals(GraphNode? other) => other is not null
            && Id == other.Id && Op == other.Op && Layer == other.Layer && MicroBatch == other.MicroBatch && Stream == other.Stream
            && Tokens.Equals(other.Tokens) && Reads.SequenceEqual(other.Reads) && Writes.SequenceEqual(other.Writes)
            && DependsOn.SequenceEqual(other.DependsOn) && Part.Equals(other.Part);

        public override int GetHashCode()
        {
            unchecked
            {
                int hash = Id;
                hash = hash * 31 + (int)Op;
                hash = hash * 31 + Layer;
                hash = hash * 31 + MicroBatch;
                hash = hash * 31 + (int)Stream;
                hash = hash * 31 + Tokens.GetHashCode();
                return hash * 31 + DependsOn.Count;
            }
        }

        /// <summary>One line that reads like the step: <c>#12 Compute: RecomputeKv layer 3, micro-batch 0, tokens [0, l) chunk 1/4; reads …; writes …; after #9 #11</c>.</summary>
        public override string ToString()
        {
            var parts = new List<string> { $"#{Id} {Stream}: {Op}" + (Layer == NoLayer ? "" : $" layer {Layer},") + $" micro-batch {MicroBatch}" };
            if (Tokens.Kind != TokenRangeKind.None)
                parts[0] += $", {Tokens}";
            if (Part.Count > 1)
                parts[0] += $", {Part}";
            if (Reads.Count > 0)
                parts.Add("reads " + string.Join(", ", Reads));
            if (Writes.Count > 0)
                parts.Add("writes " + string.Join(", ", Writes));
            if (DependsOn.Count > 0)
                parts.Add("after " + string.Join(" ", DependsOn.Select(d => "#" + d)));
            return string.Join("; ", parts);
        }
    }
}
