using System;
using System.Collections.Generic;
using Kvpr.Json;

namespace Kvpr.Graphs
{
    /// <summary>
    /// Writes a graph as JSON (format <see cref="FormatId"/>): its schedule, micro-batches, chunks and every
    /// node with its stream, token range, buffer uses and dependencies; optionally the simulated timeline of
    /// one step. Node order is the topological order.
    /// </summary>
    public static class GraphJsonWriter
    {
        public const string FormatId = "kvpr-graph/1";

        public static string Write(ExecutionGraph graph, SimulatedStep? timeline = null)
        {
            if (graph is null)
                throw new ArgumentNullException(nameof(graph));
            if (timeline is not null && !timeline.Graph.Equals(graph))
                throw new ArgumentException("The timeline was simulated for a different graph.", nameof(timeline));
            var writer = new JsonWriter().StartObject()
                .Property("format", FormatId)
                .Property("schedule", graph.Schedule.ToString())
                .Property("microBatches", graph.MicroBatches)
                .Property("activationChunks", graph.ActivationChunks);
            if (graph.Ranks > 1)
                writer.Property("ranks", graph.Ranks);
            writer.Name("nodes").StartArray();
            foreach (var node in graph.Nodes)
            {
                writer.StartObject()
                    .Property("id", node.Id)
                    .Property("op", node.Op.ToString());
                if (node.Layer != GraphNode.NoLayer)
                    writer.Property("layer", node.Layer);
                writer.Property("microBatch", node.MicroBatch)
                    .Property("stream", node.Stream.ToString());
                WriteTokens(writer.Name("tokens"), node.Tokens);
                WriteUses(writer, "reads", node.Reads);
                WriteUses(writer, "writes", node.Writes);
                writer.Name("dependsOn").StartArray();
                foreach (int dependency in node.DependsOn)
                    writer.Value(dependency);
                writer.EndArray().EndObject();
            }
            writer.EndArray();
            if (timeline is not null)
                WriteTimeline(writer, timeline);
            return writer.EndObject() + "\n";
        }

        private static void WriteTimeline(JsonWriter writer, SimulatedStep timeline)
        {
            writer.Name("timeline").StartObject()
                .Property("batch", timeline.Shape.Batch)
                .Property("length", timeline.Shape.Length)
                .Property("recomputeTokens", timeline.Shape.RecomputeTokens)
                .Property("stepSeconds", timeline.StepSeconds)
                .Name("nodes").StartArray();
            foreach (var timing in timeline.Timings)
                writer.StartObject()
                    .Property("id", timing.Node.Id)
                    .Property("startSeconds", timing.StartSeconds)
                    .Property("endSeconds", timing.EndSeconds)
                    .Property("noOp", timing.IsNoOp)
                    .Property("bytes", timing.Work.Bytes)
                    .Property("flops", timing.Work.Flops)
                    .EndObject();
            writer.EndArray().EndObject();
        }

        private static void WriteTokens(JsonWriter writer, TokenRange tokens)
        {
            writer.StartObject().Property("kind", tokens.Kind.ToString());
            if (tokens.Kind == TokenRangeKind.RecomputeChunk)
                writer.Property("chunk", tokens.Chunk).Property("chunks", tokens.Chunks);
            writer.EndObject();
        }

        private static void WriteUses(JsonWriter writer, string name, IReadOnlyList<BufferUse> uses)
        {
            writer.Name(name).StartArray();
            foreach (var use in uses)
            {
                writer.StartObject().Property("buffer", use.Buffer.ToString()).Property("index", use.Index);
                WriteTokens(writer.Name("tokens"), use.Tokens);
                writer.EndObject();
            }
            writer.EndArray();
        }
    }
}
