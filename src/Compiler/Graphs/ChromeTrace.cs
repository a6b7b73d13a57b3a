using System;
using System.Collections.Generic;
using System.Linq;
using Kvpr.Json;

namespace Kvpr.Graphs
{
    /// <summary>
    /// Writes simulated steps in the Trace Event Format (the JSON that chrome://tracing and
    /// https://ui.perfetto.dev open): one process per step, one thread per stream, one complete ("X") event
    /// per node that does something, laid out one step after the other, in microseconds.
    /// </summary>
    public static class ChromeTrace
    {
        private const double MicrosecondsPerSecond = 1e6;

        public static string Write(IReadOnlyList<SimulatedStep> steps)
        {
            if (steps is null)
                throw new ArgumentNullException(nameof(steps));
            var writer = new JsonWriter().StartObject().Property("displayTimeUnit", "ms").Name("traceEvents").StartArray();
            double offset = 0;
            for (int step = 0; step < steps.Count; step++)
            {
                var simulated = steps[step];
                var shape = simulated.Shape;
                Metadata(writer, "process_name", step, null).Property("name", $"step {step}: batch {shape.Batch}, s' = {shape.Length}, l = {shape.RecomputeTokens}").EndObject().EndObject();
                Metadata(writer, "process_sort_index", step, null).Property("sort_index", step).EndObject().EndObject();
                foreach (var stream in simulated.Graph.Streams)
                {
                    Metadata(writer, "thread_name", step, ThreadId(stream)).Property("name", stream.ToString()).EndObject().EndObject();
                    Metadata(writer, "thread_sort_index", step, ThreadId(stream)).Property("sort_index", ThreadId(stream)).EndObject().EndObject();
                }
                foreach (var timing in simulated.Timings.Where(t => !t.IsNoOp))
                    Event(writer, step, offset, timing, simulated.Graph.MicroBatches > 1);
                offset += simulated.StepSeconds * MicrosecondsPerSecond;
            }
            return writer.EndArray().EndObject() + "\n";
        }

        private static void Event(JsonWriter writer, int step, double offset, NodeTiming timing, bool nameMicroBatch)
        {
            var node = timing.Node;
            string layer = node.Layer == GraphNode.NoLayer ? "" : $" L{node.Layer}";
            string microBatch = nameMicroBatch && node.Op != OpKind.LoadWeights ? $" mb{node.MicroBatch}" : "";
            string chunk = node.Tokens.Kind == TokenRangeKind.RecomputeChunk ? $" c{node.Tokens.Chunk}"
                : node.Part.Count > 1 ? $" p{node.Part.Index}" : "";
            writer.StartObject()
                .Property("name", $"{node.Op}{layer}{microBatch}{chunk}")
                .Property("cat", node.Stream.ToString())
                .Property("ph", "X")
                .Property("pid", step)
                .Property("tid", ThreadId(node.Stream))
                .Property("ts", offset + timing.StartSeconds * MicrosecondsPerSecond)
                .Property("dur", timing.Seconds * MicrosecondsPerSecond)
                .Name("args").StartObject()
                .Property("node", node.Id);
            if (node.Layer != GraphNode.NoLayer)
                writer.Property("layer", node.Layer);
            writer.Property("microBatch", node.MicroBatch)
                .Property("tokens", node.Tokens.ToString())
                .Property("bytes", timing.Work.Bytes)
                .Property("flops", timing.Work.Flops)
                .EndObject().EndObject();
        }

        /// <summary>Starts a metadata event and leaves its "args" object open for the caller to fill and close.</summary>
        private static JsonWriter Metadata(JsonWriter writer, string name, int pid, int? tid)
        {
            writer.StartObject().Property("name", name).Property("ph", "M").Property("pid", pid);
            if (tid is int thread)
                writer.Property("tid", thread);
            return writer.Name("args").StartObject();
        }

        private static int ThreadId(StreamKind stream) => (int)stream + 1;
    }
}
