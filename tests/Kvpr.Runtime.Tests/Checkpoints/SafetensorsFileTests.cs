using System;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using Kvpr.Checkpoints;

namespace Kvpr.Runtime.Tests.Checkpoints;

public class SafetensorsFileTests
{
    [Fact]
    public void Fixture_header_and_values_read_as_python_decodes_them()
    {
        using var file = SafetensorsFile.Open(Path.Combine(Fixtures.Folder("opt-tiny"), "model.safetensors"));

        file.Metadata["format"].ShouldBe("pt");
        file.Tensors.Count.ShouldBe(36);
        var embed = file["model.decoder.embed_tokens.weight"];
        embed.DType.ShouldBe(SafetensorsDType.F16);
        embed.Shape.ShouldBe(new long[] { 512, 64 });
        // Values and sums from Python's struct.unpack('<e') over the same bytes.
        var values = embed.ToSingleArray();
        values.Take(4).ShouldBe(new[] { 0.1134033203125f, -0.026702880859375f, -0.09466552734375f, 0.1484375f });
        values.Sum(v => (double)v).ShouldBe(-1.00772225856781, 1e-9);
        embed.AsSpan<Half>()[3].ShouldBe((Half)0.1484375f);
        Should.Throw<ArgumentException>(() => embed.AsSpan<float>()).Message.ShouldContain("2-byte F16");
        file["model.decoder.layers.0.fc1.bias"].ToSingleArray().Sum(v => (double)v).ShouldBe(-0.2112135887145996, 1e-9);
    }

    [Fact]
    public void Reference_ids_and_float32_logits_read_as_python_decodes_them()
    {
        using var file = SafetensorsFile.Open(Path.Combine(Fixtures.Folder("opt-tiny"), "reference.safetensors"));

        file["input_ids"].ToInt64Array().Take(14).ShouldBe(new long[] { 369, 137, 41, 124, 111, 365, 251, 503, 135, 46, 489, 177, 371, 338 });
        file["prefill_logits"].ToSingleArray().Take(3).ShouldBe(new[] { -0.27978748083114624f, 0.09872043132781982f, -0.26888740062713623f });
    }

    [Fact]
    public void BFloat16_and_float32_convert_exactly_across_vector_and_tail_lengths()
    {
        // Multiples of 1/4 in [-16, 16] are exact in bfloat16: its bits are the float32's upper half.
        var expected = Enumerable.Range(0, 101).Select(i => (i - 50) * 0.25f).ToArray();
        var bf16 = expected.SelectMany(v => BitConverter.GetBytes((ushort)(BitConverter.SingleToUInt32Bits(v) >> 16))).ToArray();
        var f32 = expected.SelectMany(BitConverter.GetBytes).ToArray();
        using var temp = new TempFolder();
        string path = temp.File("t.safetensors");
        SafetensorsTestFiles.Write(path, new[]
        {
            new SafetensorsTestFiles.Tensor("bf16", "BF16", new long[] { 101 }, bf16),
            new SafetensorsTestFiles.Tensor("f32", "F32", new long[] { 1, 101 }, f32),
        });

        using var file = SafetensorsFile.Open(path);
        file["bf16"].ToSingleArray().ShouldBe(expected);
        file["f32"].ToSingleArray().ShouldBe(expected);
        file["f32"].Bytes.ToArray().ShouldBe(f32);
    }

    [Fact]
    public void A_range_reads_the_elements_the_whole_tensor_has_there_and_one_past_the_end_names_the_tensor()
    {
        using var file = SafetensorsFile.Open(Path.Combine(Fixtures.Folder("opt-tiny"), "model.safetensors"));
        var embed = file["model.decoder.embed_tokens.weight"];
        var whole = embed.ToSingleArray();

        var rows = new float[3 * 64];
        embed.CopyRangeToSingle(100 * 64, rows);

        rows.ShouldBe(whole.Skip(100 * 64).Take(3 * 64));
        var error = Should.Throw<ArgumentOutOfRangeException>(() => embed.CopyRangeToSingle(511 * 64 + 1, new float[64]));
        error.Message.ShouldContain("Tensor 'model.decoder.embed_tokens.weight' has 32768 elements, so elements 32705 to 32768 cannot be read.");
    }

    [Fact]
    public void Converting_an_integer_tensor_to_float_names_it()
    {
        using var file = SafetensorsFile.Open(Path.Combine(Fixtures.Folder("opt-tiny"), "reference.safetensors"));
        Should.Throw<CheckpointException>(() => file["input_ids"].ToSingleArray()).Message.ShouldContain("'input_ids' has dtype I64");
        Should.Throw<CheckpointException>(() => file["nope"]).Message.ShouldContain("no tensor 'nope'");
    }

    [Fact]
    public void Truncated_file_is_reported_with_the_tensor_that_runs_past_the_end()
    {
        using var copy = Fixtures.Copy("opt-tiny");
        string path = copy.File("model.safetensors");
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^100]);

        var error = Should.Throw<CheckpointException>(() => SafetensorsFile.Open(path));
        error.Code.ShouldBe(ErrorCodes.InvalidCheckpoint);
        error.Message.ShouldContain(path);
        error.Message.ShouldContain("truncated");
        // The last tensor by offset is the one cut off.
        error.Problems.ShouldHaveSingleItem().ShouldContain("'model.decoder.layers.1.self_attn_layer_norm.weight'");
    }

    [Fact]
    public void Files_too_short_for_a_header_or_with_a_garbage_length_are_refused()
    {
        using var temp = new TempFolder();
        string tiny = temp.File("tiny.safetensors");
        File.WriteAllBytes(tiny, new byte[] { 1, 2, 3 });
        Should.Throw<CheckpointException>(() => SafetensorsFile.Open(tiny)).Message.ShouldContain("too few for the 8-byte header length");

        using var copy = Fixtures.Copy("opt-tiny");
        string path = copy.File("model.safetensors");
        var bytes = File.ReadAllBytes(path);
        BitConverter.GetBytes(ulong.MaxValue / 3).CopyTo(bytes, 0);
        File.WriteAllBytes(path, bytes);
        var error = Should.Throw<CheckpointException>(() => SafetensorsFile.Open(path));
        error.Message.ShouldContain(path);
        error.Message.ShouldContain("header length");

        Should.Throw<CheckpointException>(() => SafetensorsFile.Open(temp.File("absent.safetensors"))).Message.ShouldContain("does not exist");
    }

    [Fact]
    public void Broken_header_json_is_refused()
    {
        using var temp = new TempFolder();
        string path = temp.File("broken.safetensors");
        SafetensorsTestFiles.WriteRaw(path, "{\"a\": {\"dtype\": \"F16\", \"shape\": [1], ", new byte[2]);
        var error = Should.Throw<CheckpointException>(() => SafetensorsFile.Open(path));
        error.Message.ShouldContain(path);
        error.Message.ShouldContain("not valid JSON");

        SafetensorsTestFiles.WriteRaw(path, "[1, 2]", Array.Empty<byte>());
        Should.Throw<CheckpointException>(() => SafetensorsFile.Open(path)).Message.ShouldContain("not an object of tensors");
    }

    [Fact]
    public void Every_bad_entry_is_named_in_one_error()
    {
        using var copy = Fixtures.Copy("opt-tiny");
        string path = copy.File("model.safetensors");
        SafetensorsTestFiles.EditHeader(path, header =>
        {
            header["model.decoder.layers.0.fc1.bias"]!["dtype"] = "F17";
            // Same byte range as another tensor.
            header["model.decoder.layers.0.fc2.bias"]!["data_offsets"] = header["model.decoder.final_layer_norm.bias"]!["data_offsets"]!.DeepClone();
            header["model.decoder.layers.1.fc1.weight"]!["shape"] = new JsonArray(256, 65);
            header["model.decoder.layers.1.fc2.bias"]!["data_offsets"] = new JsonArray(10, 5);
            header["model.decoder.layers.1.fc1.bias"]!["shape"] = new JsonArray(-1);
        });

        var error = Should.Throw<CheckpointException>(() => SafetensorsFile.Open(path));

        error.Message.ShouldContain(path);
        error.Problems.Count.ShouldBe(5, error.Message);
        error.Problems.ShouldContain(p => p.Contains("'model.decoder.layers.0.fc1.bias'") && p.Contains("unknown dtype 'F17'"));
        error.Problems.ShouldContain(p => p.Contains("'model.decoder.final_layer_norm.bias'") && p.Contains("'model.decoder.layers.0.fc2.bias'") && p.Contains("overlap"));
        error.Problems.ShouldContain(p => p.Contains("'model.decoder.layers.1.fc1.weight'") && p.Contains("needs 33280 bytes"));
        error.Problems.ShouldContain(p => p.Contains("'model.decoder.layers.1.fc2.bias'") && p.Contains("end before they begin"));
        error.Problems.ShouldContain(p => p.Contains("'model.decoder.layers.1.fc1.bias'") && p.Contains("non-negative integers"));
    }

    [Fact]
    public void Duplicate_tensor_names_and_bad_metadata_are_refused()
    {
        using var temp = new TempFolder();
        string path = temp.File("dup.safetensors");
        const string Entry = "{\"dtype\": \"U8\", \"shape\": [2], \"data_offsets\": [0, 2]}";
        SafetensorsTestFiles.WriteRaw(path, $"{{\"__metadata__\": {{\"n\": 3}}, \"a\": {Entry}, \"a\": {Entry}}}", new byte[2]);

        var error = Should.Throw<CheckpointException>(() => SafetensorsFile.Open(path));
        error.Problems.ShouldContain(p => p.Contains("'a' appears more than once"));
        error.Problems.ShouldContain(p => p.Contains("'__metadata__.n' must be a string"));
    }

    [Fact]
    public void Dispose_releases_the_mapping_so_views_can_no_longer_be_taken()
    {
        var file = SafetensorsFile.Open(Path.Combine(Fixtures.Folder("llama-tiny"), "model.safetensors"));
        var tensor = file["model.norm.weight"];
        tensor.Bytes.Length.ShouldBe(128);
        file.Dispose();
        Should.Throw<ObjectDisposedException>(() => tensor.ToSingleArray());
    }
}
