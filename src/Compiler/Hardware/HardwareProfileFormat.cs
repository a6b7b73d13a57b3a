using System;
using System.Collections.Generic;
using System.Linq;
using Kvpr.Json;

namespace Kvpr
{
    /// <summary>
    /// The <c>*.hwprofile.json</c> format (documented in docs/hardware-profiles.md). Reading is strict:
    /// unknown or missing fields, wrong types and quantities outside <see cref="HardwareLimits"/> are errors naming the
    /// field, the value and the accepted range.
    /// </summary>
    public static class HardwareProfileFormat
    {
        public const string FormatId = "kvpr-hwprofile/1";
        public const string FileSuffix = ".hwprofile.json";
        private const double Giga = HardwareLimits.Giga, Tera = HardwareLimits.Tera, Micro = HardwareLimits.Micro;

        private static readonly string[] Fields =
        {
            "format", "name", "device", "source", "gpuMemoryBytes", "hostMemoryBytes", "hostToDevice", "deviceToHost",
            "gemmFp16", "deviceMemoryGBps", "kernelLaunchMicroseconds", "hostMemoryReadGBps", "hostAttentionGBps", "hostGroupedAttentionGBps",
            "interconnectGBps", "otherGpus",
        };

        private static readonly string[] GpuFields = { "name", "gpuMemoryBytes", "hostToDevice", "deviceToHost", "gemmFp16" };

        /// <exception cref="JsonFormatException">The text is not a valid profile; the message names the file and field.</exception>
        public static HardwareProfile Parse(string json, string source)
        {
            var root = JsonParser.Parse(json, source);
            if (root.Kind != JsonKind.Object)
                throw root.Invalid("must be a JSON object");
            foreach (var property in root.Properties)
                if (!Fields.Contains(property.Key))
                    throw property.Value.Invalid($"is not part of the {FormatId} format (known fields: {string.Join(", ", Fields)})");
            var format = root.Required("format");
            if (format.AsString() != FormatId)
                throw format.Invalid($"must be \"{FormatId}\", but is \"{format.AsString()}\"");

            string name = NonEmpty(root.Required("name"));
            // GPU 0's fields sit at the top level, its name under "device".
            var firstGpu = ReadGpu(root, "device");
            return new HardwareProfile
            {
                Name = name,
                Source = root.Get("source")?.AsString() ?? "",
                HostMemoryBytes = root.Required("hostMemoryBytes").AsLongIn(HardwareLimits.MemoryBytes),
                DeviceMemoryBytesPerSecond = root.Required("deviceMemoryGBps").AsNumberIn(HardwareLimits.GigabytesPerSecond) * Giga,
                KernelLaunchSeconds = root.Required("kernelLaunchMicroseconds").AsNumberIn(HardwareLimits.LaunchMicroseconds) * Micro,
                HostMemoryReadBytesPerSecond = root.Get("hostMemoryReadGBps")?.AsNumberIn(HardwareLimits.GigabytesPerSecond) * Giga,
                HostAttentionBytesPerSecond = root.Get("hostAttentionGBps")?.AsNumberIn(HardwareLimits.GigabytesPerSecond) * Giga,
                HostGroupedAttentionBytesPerSecond = root.Get("hostGroupedAttentionGBps")?.AsNumberIn(HardwareLimits.GigabytesPerSecond) * Giga,
                InterconnectBytesPerSecond = root.Get("interconnectGBps")?.AsNumberIn(HardwareLimits.GigabytesPerSecond) * Giga,
                OtherGpus = root.Get("otherGpus") is { } gpus ? ReadGpus(gpus) : Array.Empty<GpuEntry>(),
            }.WithGpu(firstGpu);
        }

        public static string Write(HardwareProfile profile)
        {
            var firstGpu = profile.Gpu(0);
            var writer = new JsonWriter().StartObject()
                .Property("format", FormatId)
                .Property("name", profile.Name)
                .Property("device", firstGpu.Name)
                .Property("source", profile.Source)
                .Property("gpuMemoryBytes", firstGpu.GpuMemoryBytes)
                .Property("hostMemoryBytes", profile.HostMemoryBytes);
            WriteGpuSamples(writer, firstGpu);
            writer.Property("deviceMemoryGBps", Math.Round(profile.DeviceMemoryBytesPerSecond / Giga, 3))
                .Property("kernelLaunchMicroseconds", Math.Round(profile.KernelLaunchSeconds / Micro, 3));
            if (profile.HostMemoryReadBytesPerSecond is double read)
                writer.Property("hostMemoryReadGBps", Math.Round(read / Giga, 3));
            if (profile.HostAttentionBytesPerSecond is double attention)
                writer.Property("hostAttentionGBps", Math.Round(attention / Giga, 3));
            if (profile.HostGroupedAttentionBytesPerSecond is double grouped)
                writer.Property("hostGroupedAttentionGBps", Math.Round(grouped / Giga, 3));
            if (profile.InterconnectBytesPerSecond is double interconnect)
                writer.Property("interconnectGBps", Math.Round(interconnect / Giga, 3));
            if (profile.OtherGpus.Count > 0)
            {
                writer.Name("otherGpus").StartArray();
                foreach (var gpu in profile.OtherGpus)
                {
                    writer.StartObject().Property("name", gpu.Name).Property("gpuMemoryBytes", gpu.GpuMemoryBytes);
                    WriteGpuSamples(writer, gpu);
                    writer.EndObject();
                }
                writer.EndArray();
            }
            writer.EndObject();
            return writer + "\n";
        }

        private static string NonEmpty(JsonNode node)
        {
            string value = node.AsString();
            return value.Trim().Length > 0 ? value : throw node.Invalid("must not be empty");
        }

        private static long Dimension(JsonNode item, string field) => item.Required(field).AsLongIn(HardwareLimits.GemmDimension);

        private static IReadOnlyList<TransferSample> ReadTransfers(JsonNode node)
        {
            var samples = node.Items.Select(item =>
            {
                ExpectFields(item, "bytes", "GBps");
                return new TransferSample(item.Required("bytes").AsLongIn(HardwareLimits.TransferBytes), item.Required("GBps").AsNumberIn(HardwareLimits.GigabytesPerSecond) * Giga);
            }).ToArray();
            if (samples.Length == 0)
                throw node.Invalid("must hold at least one {\"bytes\", \"GBps\"} sample");
            if (samples.Select(s => s.Bytes).Distinct().Count() != samples.Length)
                throw node.Invalid("must not list the same size twice");
            return samples;
        }

        private static IReadOnlyList<GemmSample> ReadGemms(JsonNode node)
        {
            var samples = node.Items.Select(item =>
            {
                ExpectFields(item, "m", "k", "n", "tflops");
                return new GemmSample(Dimension(item, "m"), Dimension(item, "k"), Dimension(item, "n"),
                    item.Required("tflops").AsNumberIn(HardwareLimits.Teraflops) * Tera);
            }).ToArray();
            return samples.Length > 0 ? samples : throw node.Invalid("must hold at least one {\"m\", \"k\", \"n\", \"tflops\"} sample");
        }

        /// <summary>The GPUs after GPU 0, each with its own link and GEMM samples, read as strictly as the top level.</summary>
        private static IReadOnlyList<GpuEntry> ReadGpus(JsonNode node)
        {
            var gpus = node.Items.Select(item =>
            {
                ExpectFields(item, GpuFields);
                return ReadGpu(item, "name");
            }).ToArray();
            if (gpus.Length == 0)
                throw node.Invalid("must list at least one GPU (leave it out for a single-GPU profile)");
            var repeated = gpus.GroupBy(g => g.Name).FirstOrDefault(g => g.Count() > 1);
            if (repeated is not null)
                throw node.Invalid($"names the GPU '{repeated.Key}' twice: each GPU needs its own name");
            return gpus;
        }

        /// <summary>One GPU's fields of <paramref name="node"/>, its name under <paramref name="nameField"/>.</summary>
        private static GpuEntry ReadGpu(JsonNode node, string nameField) => new()
        {
            Name = NonEmpty(node.Required(nameField)),
            GpuMemoryBytes = node.Required("gpuMemoryBytes").AsLongIn(HardwareLimits.MemoryBytes),
            HostToDeviceSamples = ReadTransfers(node.Required("hostToDevice")),
            DeviceToHostSamples = ReadTransfers(node.Required("deviceToHost")),
            GemmSamples = ReadGemms(node.Required("gemmFp16")),
        };

        /// <summary>A GPU's link and GEMM samples; its name and memory are written apart, where the top level keeps them.</summary>
        private static void WriteGpuSamples(JsonWriter writer, GpuEntry gpu)
        {
            WriteTransfers(writer, "hostToDevice", gpu.HostToDeviceSamples);
            WriteTransfers(writer, "deviceToHost", gpu.DeviceToHostSamples);
            WriteGemms(writer, gpu.GemmSamples);
        }

        private static void ExpectFields(JsonNode item, params string[] fields)
        {
            if (item.Kind != JsonKind.Object)
                throw item.Invalid("must be an object");
            foreach (var property in item.Properties)
                if (Array.IndexOf(fields, property.Key) < 0)
                    throw property.Value.Invalid($"is not expected here (expected: {string.Join(", ", fields)})");
        }

        private static void WriteGemms(JsonWriter writer, IReadOnlyList<GemmSample> samples)
        {
            writer.Name("gemmFp16").StartArray();
            foreach (var gemm in samples)
                writer.StartObject().Property("m", gemm.M).Property("k", gemm.K).Property("n", gemm.N)
                    .Property("tflops", Math.Round(gemm.FlopsPerSecond / Tera, 3)).EndObject();
            writer.EndArray();
        }

        private static void WriteTransfers(JsonWriter writer, string name, IReadOnlyList<TransferSample> samples)
        {
            writer.Name(name).StartArray();
            foreach (var sample in samples)
                writer.StartObject().Property("bytes", sample.Bytes).Property("GBps", Math.Round(sample.BytesPerSecond / Giga, 3)).EndObject();
            writer.EndArray();
        }
    }
}
