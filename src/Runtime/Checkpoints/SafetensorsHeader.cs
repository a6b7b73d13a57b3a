using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.Unicode;

namespace Kvpr.Checkpoints
{
    /// <summary>
    /// Parses and checks the JSON header of a safetensors file: known dtypes, shapes that match the byte
    /// ranges, ranges inside the data section, no overlaps, no duplicate names. Collects every problem.
    /// </summary>
    internal static class SafetensorsHeader
    {
        internal const string MetadataKey = "__metadata__";

        internal static (IReadOnlyDictionary<string, string> Metadata, IReadOnlyDictionary<string, SafetensorsTensor> Tensors) Parse(
            byte[] json, long dataLength, SafetensorsFile file)
        {
            // System.Text.Json validates UTF-8 only where it transcodes a string, so invalid bytes in a name would surface late.
            if (!Utf8.IsValid(json))
                throw new CheckpointException(ErrorCodes.InvalidCheckpoint, file.Path, "the header is not valid UTF-8 text.");
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(json);
            }
            catch (JsonException e)
            {
                throw new CheckpointException(ErrorCodes.InvalidCheckpoint, file.Path, $"the header is not valid JSON ({e.Message}).", e);
            }

            using (document)
            {
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                    throw new CheckpointException(ErrorCodes.InvalidCheckpoint, file.Path, $"the header is a JSON {document.RootElement.ValueKind}, not an object of tensors.");

                var problems = new List<string>();
                var metadata = new Dictionary<string, string>();
                var tensors = new Dictionary<string, SafetensorsTensor>();
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    if (property.Name == MetadataKey)
                        ReadMetadata(property.Value, metadata, problems);
                    else if (tensors.ContainsKey(property.Name))
                        problems.Add($"tensor '{property.Name}' appears more than once in the header.");
                    else if (ReadTensor(property.Name, property.Value, dataLength, file, problems) is { } tensor)
                        tensors.Add(tensor.Name, tensor);
                }
                FindOverlaps(tensors.Values, problems);
                if (problems.Count > 0)
                    throw new CheckpointException(ErrorCodes.InvalidCheckpoint, file.Path, problems);
                return (metadata, tensors);
            }
        }

        private static void ReadMetadata(JsonElement element, Dictionary<string, string> metadata, List<string> problems)
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                problems.Add($"'{MetadataKey}' must be an object of strings, but is a {element.ValueKind}.");
                return;
            }
            foreach (var entry in element.EnumerateObject())
            {
                if (entry.Value.ValueKind == JsonValueKind.String)
                    metadata[entry.Name] = entry.Value.GetString()!;
                else
                    problems.Add($"'{MetadataKey}.{entry.Name}' must be a string, but is a {entry.Value.ValueKind}.");
            }
        }

        private static SafetensorsTensor? ReadTensor(string name, JsonElement entry, long dataLength, SafetensorsFile file, List<string> problems)
        {
            int problemsBefore = problems.Count;
            void Problem(string text) => problems.Add($"tensor '{name}' {text}.");

            if (entry.ValueKind != JsonValueKind.Object)
            {
                Problem($"is described by a {entry.ValueKind}, not an object with dtype, shape and data_offsets");
                return null;
            }

            SafetensorsDType type = default;
            if (!entry.TryGetProperty("dtype", out var dtype) || dtype.ValueKind != JsonValueKind.String)
                Problem("has no dtype string");
            else if (!SafetensorsDTypes.TryParse(dtype.GetString()!, out type))
                Problem($"has unknown dtype '{dtype.GetString()}' (known: {string.Join(", ", SafetensorsDTypes.Names)})");

            var shape = ReadNaturals(entry, "shape", count: null, Problem);
            var offsets = ReadNaturals(entry, "data_offsets", count: 2, Problem);
            if (problems.Count > problemsBefore || shape is null || offsets is null)
                return null;

            long begin = offsets[0], end = offsets[1];
            if (begin > end)
            {
                Problem($"has data_offsets [{begin}, {end}] that end before they begin");
                return null;
            }
            long? expectedBytes = ByteSize(shape, type.ElementBytes());
            if (expectedBytes != end - begin)
            {
                string needed = expectedBytes is long bytes ? $"{bytes} bytes" : "more bytes than a file can hold";
                Problem($"spans {end - begin} bytes (data_offsets [{begin}, {end}]), but shape [{string.Join(", ", shape)}] of {type.HeaderName()} needs {needed}");
                return null;
            }
            if (end > dataLength)
            {
                Problem($"ends at byte {end} of the data section, which holds only {dataLength} bytes: the file is truncated or the offsets are wrong");
                return null;
            }
            return new SafetensorsTensor(file, name, type, shape, begin, end);
        }

        /// <summary>A non-negative integer array field, or null after reporting why not.</summary>
        private static long[]? ReadNaturals(JsonElement entry, string field, int? count, Action<string> problem)
        {
            if (!entry.TryGetProperty(field, out var array) || array.ValueKind != JsonValueKind.Array)
            {
                problem($"has no {field} array");
                return null;
            }
            var values = new List<long>();
            foreach (var item in array.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out long value) || value < 0)
                {
                    problem($"has {field} {array.GetRawText()}, which must hold non-negative integers");
                    return null;
                }
                values.Add(value);
            }
            if (count is int expected && values.Count != expected)
            {
                problem($"has {field} {array.GetRawText()}, which must hold {expected} integers");
                return null;
            }
            return values.ToArray();
        }

        private static long? ByteSize(long[] shape, int elementBytes)
        {
            try
            {
                return checked(shape.Aggregate(1L, (product, dim) => product * dim) * elementBytes);
            }
            catch (OverflowException)
            {
                return null;
            }
        }

        private static void FindOverlaps(IEnumerable<SafetensorsTensor> tensors, List<string> problems)
        {
            SafetensorsTensor? previous = null;
            foreach (var tensor in tensors.Where(t => t.ByteLength > 0).OrderBy(t => t.DataBegin))
            {
                if (previous is not null && tensor.DataBegin < previous.DataEnd)
                    problems.Add($"tensors '{previous.Name}' (bytes {previous.DataBegin}..{previous.DataEnd}) and '{tensor.Name}' (bytes {tensor.DataBegin}..{tensor.DataEnd}) overlap.");
                if (previous is null || tensor.DataEnd > previous.DataEnd)
                    previous = tensor;
            }
        }
    }
}
