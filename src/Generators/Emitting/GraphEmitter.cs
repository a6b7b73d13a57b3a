using System;
using System.Collections.Generic;
using System.Linq;
using Kvpr.Generators.Model;
using Kvpr.Graphs;

namespace Kvpr.Generators.Emitting
{
    /// <summary>
    /// An execution graph as one <c>Node(...)</c> call per node, grouped by layer, so that the method reads as the
    /// decode step. The graph's vocabulary (ops, streams, buffers, token ranges) gets short local names first: locals
    /// shadow everything, so a user type of the same name cannot change what the generated code means.
    /// </summary>
    internal static class GraphEmitter
    {
        private const string Graphs = "global::Kvpr.Graphs.";

        public static GeneratedFile Emit(ModelDeclaration model, ExecutionGraph graph, string property, string summary)
        {
            var header = new[]
            {
                $"{graph.Schedule}: {graph.MicroBatches} micro-batch(es), recomputed prefix loaded in {graph.ActivationChunks} chunk(s), {graph.Nodes.Count} nodes.",
                "Each line is one node: id, op, layer, micro-batch, stream, tokens, buffers read and written, nodes it waits for.",
                "Token ranges are symbolic: l = recomputed tokens, s' = stored tokens; a node whose range is empty in a step is skipped.",
            };
            return PartialTypeWriter.Write(model, property, $"{graph.Schedule} execution graph", header, writer =>
            {
                writer.Line($"/// <summary>{summary}</summary>")
                    .Line($"public static {Graphs}ExecutionGraph {property} => Blueprint.{property};")
                    .Line();
                using (writer.Block($"private static {Graphs}ExecutionGraph Create{property}()"))
                {
                    WriteVocabulary(writer, graph);
                    writer.Line();
                    int? layer = null;
                    foreach (var node in graph.Nodes)
                    {
                        if (node.Layer != layer)
                            writer.Line(node.Layer == GraphNode.NoLayer ? (layer is null ? "// before the layers" : "// after the layers") : $"// layer {node.Layer}");
                        layer = node.Layer;
                        writer.Line(Node(node));
                    }
                    writer.Line()
                        .Line($"return new({Graphs}ScheduleKind.{graph.Schedule}, microBatches: {graph.MicroBatches}, activationChunks: {graph.ActivationChunks}, nodes);");
                }
            });
        }

        private static void WriteVocabulary(SourceWriter writer, ExecutionGraph graph)
        {
            var uses = graph.Nodes.SelectMany(n => n.Reads.Concat(n.Writes)).ToArray();
            // Buffers used whole are written At(buffer, index), without a range.
            var ranges = graph.Nodes.Select(n => n.Tokens).Concat(uses.Select(u => u.Tokens).Where(t => t.Kind != TokenRangeKind.None))
                .Select(t => t.Kind).Distinct().OrderBy(k => k).ToArray();
            writer.LocalConstants(Graphs + "OpKind", Names(graph.Nodes.Select(n => n.Op)))
                .LocalConstants(Graphs + "StreamKind", Names(graph.Nodes.Select(n => n.Stream)))
                .LocalConstants(Graphs + "BufferKind", Names(uses.Select(u => u.Buffer)));
            if (graph.Nodes.Any(n => n.Layer == GraphNode.NoLayer))
                writer.Line($"const int NoLayer = {Graphs}GraphNode.NoLayer;");
            foreach (var kind in ranges.Where(k => k != TokenRangeKind.RecomputeChunk))
                writer.Line($"var {RangeName(kind)} = {Graphs}TokenRange.{kind};");
            // Streamed layers crossing in pieces name their piece; other graphs keep the shorter signature.
            bool pieces = graph.Nodes.Any(n => n.Part.Count > 1);
            writer.Line($"var nodes = new global::System.Collections.Generic.List<{Graphs}GraphNode>();")
                .Line($"void Node(int id, {Graphs}OpKind op, int layer, int microBatch, {Graphs}StreamKind stream, {Graphs}TokenRange tokens,")
                .Line($"    {Graphs}BufferUse[] reads, {Graphs}BufferUse[] writes, int[] after{(pieces ? $", {Graphs}WeightPart? part = null" : "")}) =>")
                .Line($"    nodes.Add(new(id, op, layer, microBatch, stream, tokens, reads, writes, after{(pieces ? ", part" : "")}));");
            if (uses.Length > 0)
                writer.Line($"static {Graphs}BufferUse At({Graphs}BufferKind buffer, int index, {Graphs}TokenRange? tokens = null) => new(buffer, index, tokens ?? {Graphs}TokenRange.None);");
            if (ranges.Contains(TokenRangeKind.RecomputeChunk))
                writer.Line($"static {Graphs}TokenRange Chunk(int chunk, int chunks) => {Graphs}TokenRange.RecomputeChunk(chunk, chunks);");
        }

        private static string[] Names<T>(IEnumerable<T> used) where T : struct, Enum => used.Distinct().OrderBy(v => v).Select(v => v.ToString()).ToArray();

        private static string Node(GraphNode node)
        {
            string layer = node.Layer == GraphNode.NoLayer ? "NoLayer" : Literals.Int(node.Layer);
            return $"Node({node.Id}, {node.Op}, layer: {layer}, microBatch: {node.MicroBatch}, {node.Stream}, {Range(node.Tokens)}, " +
                $"reads: {Uses(node.Reads)}, writes: {Uses(node.Writes)}, after: [{string.Join(", ", node.DependsOn)}]" +
                (node.Part.Count > 1 ? $", part: new({node.Part.Index}, {node.Part.Count})" : "") + ");";
        }

        private static string Uses(IReadOnlyList<BufferUse> uses) => "[" + string.Join(", ", uses.Select(u =>
            u.Tokens.Kind == TokenRangeKind.None ? $"At({u.Buffer}, {u.Index})" : $"At({u.Buffer}, {u.Index}, {Range(u.Tokens)})")) + "]";

        private static string Range(TokenRange range) =>
            range.Kind == TokenRangeKind.RecomputeChunk ? $"Chunk({range.Chunk}, {range.Chunks})" : RangeName(range.Kind);

        /// <summary>Lower-case, so the token ranges never clash with the enum constants above them.</summary>
        private static string RangeName(TokenRangeKind kind) => kind switch
        {
            TokenRangeKind.None => "wholeBuffer",
            TokenRangeKind.Transferred => "transferred",
            TokenRangeKind.HostAttended => "hostAttended",
            TokenRangeKind.Stored => "stored",
            TokenRangeKind.NewToken => "newToken",
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Recompute chunks are written with Chunk(i, n)."),
        };
    }
}
