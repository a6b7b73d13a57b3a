using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using Kvpr.Checkpoints;

namespace Kvpr.Runtime.Tests.Checkpoints;

public class CheckpointTests
{
    [Theory]
    [InlineData("opt-tiny")]
    [InlineData("llama-tiny")]
    [InlineData("llama-tiny-gqa")]
    public void Every_fixture_validates_against_the_weight_map_of_its_config(string fixture)
    {
        string folder = Fixtures.Folder(fixture);
        using var checkpoint = Checkpoint.Open(folder);

        checkpoint.Validate(WeightMap.For(HuggingFaceConfig.Read(Path.Combine(folder, "config.json")))).ShouldBeEmpty();
    }

    [Fact]
    public void Missing_tensors_wrong_shapes_and_dtypes_are_all_named_in_one_error()
    {
        using var copy = Fixtures.Copy("llama-tiny");
        SafetensorsTestFiles.EditHeader(copy.File("model.safetensors"), header =>
        {
            header.Remove("model.layers.1.mlp.up_proj.weight");
            header.Remove("lm_head.weight");
            header["model.layers.0.self_attn.k_proj.weight"]!["shape"] = new JsonArray(32, 128);
            header["model.layers.0.input_layernorm.weight"]!["dtype"] = "I16";
        });
        var spec = HuggingFaceConfig.Read(copy.File("config.json"));
        using var checkpoint = Checkpoint.Open(copy.Path);

        var error = Should.Throw<CheckpointException>(() => checkpoint.Validate(WeightMap.For(spec)));

        error.Code.ShouldBe(ErrorCodes.CheckpointMismatch);
        error.Message.ShouldContain(copy.Path);
        error.Problems.ShouldBe(new[]
        {
            "tensor 'model.layers.0.input_layernorm.weight' has dtype I16, but weights must be F16, BF16 or F32.",
            "tensor 'model.layers.0.self_attn.k_proj.weight' has shape [32, 128], but the model needs [64, 64].",
            "tensor 'model.layers.1.mlp.up_proj.weight' [192, 64] is missing.",
            "tensor 'lm_head.weight' [512, 64] is missing.",
        }, ignoreOrder: true);
    }

    [Fact]
    public void A_config_of_a_thousand_layers_against_a_two_layer_checkpoint_lists_twenty_problems_and_counts_the_rest()
    {
        using var copy = Fixtures.Copy("opt-tiny");
        var config = JsonNode.Parse(File.ReadAllText(copy.File("config.json")))!.AsObject();
        config["num_hidden_layers"] = 1000;
        File.WriteAllText(copy.File("config.json"), config.ToJsonString());
        var spec = HuggingFaceConfig.Read(copy.File("config.json"));
        using var checkpoint = Checkpoint.Open(copy.Path);

        var error = Should.Throw<CheckpointException>(() => checkpoint.Validate(WeightMap.For(spec)));

        // 998 missing layers of 16 tensors each (q, k, v, out and fc1, fc2 with biases, two layer norms with biases).
        error.Problems.Count.ShouldBe(998 * 16);
        var lines = error.Message.Split(System.Environment.NewLine);
        lines.Length.ShouldBe(1 + 20 + 1);
        lines[0].ShouldEndWith($"{998 * 16} problems:");
        lines[^1].ShouldBe($"  … and {998 * 16 - 20} more");
    }

    [Fact]
    public void Unused_tensors_are_warnings_and_rotary_buffers_are_ignored()
    {
        using var copy = Fixtures.Copy("llama-tiny");
        string path = copy.File("model.safetensors");
        var tensors = SafetensorsTestFiles.Read(path);
        tensors.Add(new SafetensorsTestFiles.Tensor("model.layers.0.self_attn.rotary_emb.inv_freq", "F32", new long[] { 8 }, new byte[32]));
        tensors.Add(new SafetensorsTestFiles.Tensor("model.extra_head.weight", "F16", new long[] { 2 }, new byte[4]));
        SafetensorsTestFiles.Write(path, tensors);
        using var checkpoint = Checkpoint.Open(copy.Path);

        var warnings = checkpoint.Validate(WeightMap.For(HuggingFaceConfig.Read(copy.File("config.json"))));

        warnings.ShouldHaveSingleItem().ShouldContain("'model.extra_head.weight' is not used");
    }

    [Fact]
    public void Names_without_the_model_prefix_are_accepted()
    {
        using var copy = Fixtures.Copy("opt-tiny");
        string path = copy.File("model.safetensors");
        SafetensorsTestFiles.Write(path, SafetensorsTestFiles.Read(path).Select(t => t with { Name = t.Name.Replace("model.decoder.", "decoder.") }));
        using var checkpoint = Checkpoint.Open(copy.Path);

        checkpoint.Validate(WeightMap.For(HuggingFaceConfig.Read(copy.File("config.json")))).ShouldBeEmpty();
        checkpoint.GetTensor("model.decoder.final_layer_norm.weight").Name.ShouldBe("decoder.final_layer_norm.weight");
    }

    [Fact]
    public void Sharded_checkpoint_loads_the_same_tensors_as_the_single_file()
    {
        using var sharded = ShardedCopy("opt-tiny", out _);
        using var single = Checkpoint.Open(Fixtures.Folder("opt-tiny"));
        using var checkpoint = Checkpoint.Open(sharded.Path);

        checkpoint.Files.Count.ShouldBe(2);
        checkpoint.TensorNames.ShouldBe(single.TensorNames, ignoreOrder: true);
        foreach (string name in single.TensorNames)
        {
            checkpoint.GetTensor(name).Shape.ShouldBe(single.GetTensor(name).Shape);
            checkpoint.GetTensor(name).Bytes.ToArray().ShouldBe(single.GetTensor(name).Bytes.ToArray(), name);
        }
        checkpoint.Validate(WeightMap.For(HuggingFaceConfig.Read(sharded.File("config.json")))).ShouldBeEmpty();
    }

    [Fact]
    public void A_missing_shard_is_named()
    {
        using var sharded = ShardedCopy("llama-tiny", out var shards);
        File.Delete(sharded.File(shards[1]));

        var error = Should.Throw<CheckpointException>(() => Checkpoint.Open(sharded.Path));

        error.Message.ShouldContain(sharded.File(Checkpoint.IndexFileName));
        error.Problems.ShouldHaveSingleItem().ShouldContain($"shard '{shards[1]}'");
        error.Problems[0].ShouldContain("does not exist");
    }

    [Fact]
    public void A_tensor_mapped_to_the_wrong_shard_is_named()
    {
        using var sharded = ShardedCopy("llama-tiny", out var shards);
        string index = sharded.File(Checkpoint.IndexFileName);
        var json = JsonNode.Parse(File.ReadAllText(index))!;
        var weightMap = json["weight_map"]!.AsObject();
        string moved = weightMap.First(pair => (string)pair.Value! == shards[1]).Key;
        weightMap[moved] = shards[0];
        File.WriteAllText(index, json.ToJsonString());

        var error = Should.Throw<CheckpointException>(() => Checkpoint.Open(sharded.Path));

        error.Problems.ShouldHaveSingleItem().ShouldBe($"tensor '{moved}' is mapped to shard '{shards[0]}', which does not hold it.");
    }

    [Fact]
    public void An_index_with_a_bad_weight_map_names_the_field()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp.File(Checkpoint.IndexFileName), "{\"weight_map\": {\"a\": \"../elsewhere.safetensors\"}}");

        var error = Should.Throw<CheckpointException>(() => Checkpoint.Open(temp.Path));

        error.Message.ShouldContain("field 'weight_map.a' must name a file inside the checkpoint folder");
    }

    [Fact]
    public void Missing_folders_and_folders_without_weights_are_refused()
    {
        using var temp = new TempFolder();
        Should.Throw<CheckpointException>(() => Checkpoint.Open(temp.File("nope"))).Message.ShouldContain("does not exist");
        Should.Throw<CheckpointException>(() => Checkpoint.Open(temp.Path)).Message
            .ShouldContain("neither model.safetensors nor model.safetensors.index.json");
    }

    /// <summary>A copy of a fixture whose model.safetensors is split in two shards plus an index, as transformers writes them.</summary>
    private static TempFolder ShardedCopy(string fixture, out string[] shards)
    {
        var copy = Fixtures.Copy(fixture);
        string single = copy.File("model.safetensors");
        var tensors = SafetensorsTestFiles.Read(single);
        File.Delete(single);
        shards = new[] { "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors" };
        var weightMap = new JsonObject();
        for (int shard = 0; shard < 2; shard++)
        {
            var part = tensors.Where((_, i) => i % 2 == shard).ToArray();
            SafetensorsTestFiles.Write(copy.File(shards[shard]), part);
            foreach (var tensor in part)
                weightMap[tensor.Name] = shards[shard];
        }
        var index = new JsonObject { ["metadata"] = new JsonObject { ["total_size"] = tensors.Sum(t => t.Data.Length) }, ["weight_map"] = weightMap };
        File.WriteAllText(copy.File(Checkpoint.IndexFileName), index.ToJsonString());
        return copy;
    }
}
