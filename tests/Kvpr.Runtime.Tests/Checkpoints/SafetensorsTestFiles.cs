using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;

namespace Kvpr.Runtime.Tests.Checkpoints;

/// <summary>
/// Writes and edits safetensors files byte by byte, independently of the reader under test, so tests can
/// build exactly the (valid or corrupt) files they need.
/// </summary>
internal static class SafetensorsTestFiles
{
    public sealed record Tensor(string Name, string DType, long[] Shape, byte[] Data);

    public static void Write(string path, IEnumerable<Tensor> tensors)
    {
        var header = new JsonObject { ["__metadata__"] = new JsonObject { ["format"] = "pt" } };
        var data = new MemoryStream();
        foreach (var tensor in tensors)
        {
            header[tensor.Name] = new JsonObject
            {
                ["dtype"] = tensor.DType,
                ["shape"] = new JsonArray(tensor.Shape.Select(d => (JsonNode)d).ToArray()),
                ["data_offsets"] = new JsonArray(data.Length, data.Length + tensor.Data.Length),
            };
            data.Write(tensor.Data);
        }
        WriteRaw(path, header.ToJsonString(), data.ToArray());
    }

    /// <summary>A file with <paramref name="headerJson"/> taken verbatim (padded to 8 bytes as the format suggests).</summary>
    public static void WriteRaw(string path, string headerJson, byte[] data)
    {
        var json = Encoding.UTF8.GetBytes(headerJson.PadRight((headerJson.Length + 7) / 8 * 8));
        using var file = File.Create(path);
        var length = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)json.Length);
        file.Write(length);
        file.Write(json);
        file.Write(data);
    }

    /// <summary>The tensors of an existing file, read with System.Text.Json and plain offsets.</summary>
    public static List<Tensor> Read(string path)
    {
        var (header, data) = Split(path);
        return header.Where(p => p.Key != "__metadata__").Select(p =>
        {
            var offsets = p.Value!["data_offsets"]!.AsArray().Select(o => (long)o!).ToArray();
            return new Tensor(p.Key, (string)p.Value["dtype"]!, p.Value["shape"]!.AsArray().Select(d => (long)d!).ToArray(),
                data[(int)offsets[0]..(int)offsets[1]]);
        }).ToList();
    }

    /// <summary>Rewrites the header of <paramref name="path"/> in place after <paramref name="edit"/>; the data bytes stay as they were.</summary>
    public static void EditHeader(string path, Action<JsonObject> edit)
    {
        var (header, data) = Split(path);
        edit(header);
        WriteRaw(path, header.ToJsonString(), data);
    }

    private static (JsonObject Header, byte[] Data) Split(string path)
    {
        var bytes = File.ReadAllBytes(path);
        int length = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        var header = JsonNode.Parse(Encoding.UTF8.GetString(bytes, 8, length))!.AsObject();
        return (header, bytes[(8 + length)..]);
    }
}
