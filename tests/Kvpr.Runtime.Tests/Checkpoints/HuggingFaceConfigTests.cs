using System.IO;
using System.Text.Json.Nodes;
using Kvpr.Checkpoints;

namespace Kvpr.Runtime.Tests.Checkpoints;

public class HuggingFaceConfigTests
{
    [Fact]
    public void Fixture_configs_give_the_dimensions_of_the_fixture_readme()
    {
        // tests/fixtures/README.md's table, with each family's conventions.
        Read("opt-tiny").ShouldBe(ModelSpec.Opt("opt-tiny", hidden: 64, layers: 2, heads: 4, ffnHidden: 256, vocab: 512, maxPositions: 128));
        Read("llama-tiny").ShouldBe(ModelSpec.Llama("llama-tiny", hidden: 64, layers: 2, heads: 4, kvHeads: 4, ffnHidden: 192, vocab: 512, maxPositions: 128,
            normEps: 1e-5, ropeTheta: 10000));
        Read("llama-tiny-gqa").ShouldBe(ModelSpec.Llama("llama-tiny-gqa", hidden: 64, layers: 2, heads: 4, kvHeads: 2, ffnHidden: 192, vocab: 512, maxPositions: 128,
            normEps: 1e-5, ropeTheta: 10000));
    }

    [Fact]
    public void Older_llama_configs_with_torch_dtype_and_top_level_rope_theta_read()
    {
        var spec = ReadEdited("llama-tiny", config =>
        {
            config.Remove("architectures");
            config.Remove("rope_parameters");
            config.Remove("dtype");
            config.Remove("num_key_value_heads");
            config["rope_theta"] = 500000.0;
            config["torch_dtype"] = "bfloat16";
            config["tie_word_embeddings"] = true;
            config["attention_bias"] = true;
        });

        spec.RopeTheta.ShouldBe(500000);
        spec.WeightType.ShouldBe(WeightType.BFloat16);
        spec.KvHeads.ShouldBe(4);
        spec.TiedEmbeddings.ShouldBeTrue();
        spec.AttentionBias.ShouldBeTrue();
        spec.AttentionOutputBias.ShouldBeTrue();
    }

    [Fact]
    public void Older_rope_scaling_with_type_or_rope_type_beside_rope_theta_reads()
    {
        var llama3 = ReadEdited("llama-tiny", config =>
        {
            config.Remove("rope_parameters");
            config["rope_theta"] = 500000.0;
            config["rope_scaling"] = JsonNode.Parse("{\"rope_type\": \"llama3\", \"factor\": 8.0, \"low_freq_factor\": 1.0, \"high_freq_factor\": 4.0, \"original_max_position_embeddings\": 64}");
        });
        var linear = ReadEdited("llama-tiny", config =>
        {
            config.Remove("rope_parameters");
            config["rope_scaling"] = JsonNode.Parse("{\"type\": \"linear\", \"factor\": 2.0}");
        });

        llama3.ShouldBe(Read("llama-tiny") with
        {
            Name = llama3.Name, RopeTheta = 500000, RopeScaling = RopeScaling.Llama3, RopeScalingFactor = 8, RopeLowFrequencyFactor = 1, RopeHighFrequencyFactor = 4,
            RopeOriginalMaxPositions = 64,
        });
        linear.ShouldBe(Read("llama-tiny") with { Name = linear.Name, RopeScaling = RopeScaling.Linear, RopeScalingFactor = 2 });
    }

    [Fact]
    public void Mistral_and_qwen2_windows_and_biases_follow_their_config_keys()
    {
        ModelSpec Family(string type, System.Action<JsonObject> edit) => ReadEdited("llama-tiny-gqa", config =>
        {
            config["architectures"] = new JsonArray(type);
            config.Remove("attention_bias");
            edit(config);
        });

        var mistral = Family("MistralForCausalLM", config => config["sliding_window"] = 8);
        mistral.Architecture.ShouldBe(Architecture.Mistral);
        mistral.SlidingWindow.ShouldBe(8);
        (mistral.AttentionBias || mistral.AttentionOutputBias || mistral.MlpBias).ShouldBeFalse();
        Family("MistralForCausalLM", config => config["sliding_window"] = null).SlidingWindow.ShouldBe(0);

        var qwen = Family("Qwen2ForCausalLM", config => { config["sliding_window"] = 8; config["use_sliding_window"] = false; });
        qwen.Architecture.ShouldBe(Architecture.Qwen2);
        qwen.SlidingWindow.ShouldBe(0);
        qwen.AttentionBias.ShouldBeTrue();
        qwen.AttentionOutputBias.ShouldBeFalse();
        Family("Qwen2ForCausalLM", config => { config["sliding_window"] = 8; config["use_sliding_window"] = true; config["max_window_layers"] = 0; }).SlidingWindow.ShouldBe(8);
        Family("Qwen2ForCausalLM", config => { config["sliding_window"] = 8; config["use_sliding_window"] = true; config["max_window_layers"] = 2; }).SlidingWindow.ShouldBe(0);
        Family("Qwen2ForCausalLM", config => { config["sliding_window"] = 8; config["layer_types"] = JsonNode.Parse("[\"sliding_attention\", \"sliding_attention\"]"); })
            .SlidingWindow.ShouldBe(8);
        Should.Throw<CheckpointException>(() => Family("Qwen2ForCausalLM", config => { config["sliding_window"] = 8; config["use_sliding_window"] = true; config["max_window_layers"] = 1; }))
            .Message.ShouldContain("field 'max_window_layers' is 1: a sliding window on layers 1 to 1 only is not supported");
    }

    [Fact]
    public void Opt_gelu_and_bias_free_variants_read()
    {
        var spec = ReadEdited("opt-tiny", config =>
        {
            config["activation_function"] = "gelu";
            config["enable_bias"] = false;
        });
        spec.Activation.ShouldBe(Activation.Gelu);
        spec.AttentionBias.ShouldBeFalse();
        spec.AttentionOutputBias.ShouldBeFalse();
        spec.MlpBias.ShouldBeFalse();
    }

    [Theory]
    [InlineData("llama-tiny", "architectures", "[\"Qwen3ForCausalLM\"]",
        "architecture 'Qwen3ForCausalLM', which is not supported; supported: OPTForCausalLM, LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM")]
    [InlineData("llama-tiny", "rope_parameters", "{\"rope_type\": \"yarn\", \"rope_theta\": 10000.0}", "field 'rope_parameters.rope_type' is 'yarn': yarn RoPE scaling is not supported; supported: default, linear, llama3")]
    [InlineData("llama-tiny", "rope_parameters", "{\"rope_type\": \"dynamic\", \"rope_theta\": 10000.0, \"factor\": 2.0}", "field 'rope_parameters.rope_type' is 'dynamic'")]
    [InlineData("llama-tiny", "rope_parameters", "{\"rope_type\": \"longrope\", \"rope_theta\": 10000.0}", "field 'rope_parameters.rope_type' is 'longrope'")]
    [InlineData("llama-tiny", "rope_parameters", "{\"rope_type\": \"llama3\", \"rope_theta\": 10000.0, \"factor\": 8.0}", "field 'rope_parameters.low_freq_factor' is missing")]
    [InlineData("llama-tiny", "rope_parameters", "{\"rope_type\": \"linear\", \"rope_theta\": 10000.0, \"factor\": 0.5}", "RopeScalingFactor must be in [1, 10,000]")]
    [InlineData("llama-tiny", "rope_parameters",
        "{\"rope_type\": \"llama3\", \"rope_theta\": 10000.0, \"factor\": 8.0, \"low_freq_factor\": 4.0, \"high_freq_factor\": 1.0, \"original_max_position_embeddings\": 64}",
        "RopeHighFrequencyFactor (1) must be greater than RopeLowFrequencyFactor (4)")]
    [InlineData("llama-tiny", "layer_types", "[\"full_attention\", \"sliding_attention\"]",
        "field 'layer_types' holds 'full_attention', 'sliding_attention': only 'full_attention' on every layer or 'sliding_attention' on every layer is supported")]
    [InlineData("llama-tiny", "head_dim", "32", "field 'head_dim' is 32, but the engines need hidden_size / num_attention_heads = 16")]
    [InlineData("llama-tiny", "hidden_act", "\"gelu\"", "field 'hidden_act' is 'gelu'")]
    [InlineData("llama-tiny", "hidden_size", "\"64\"", "field 'hidden_size' must be a number, but is the string \"64\"")]
    [InlineData("llama-tiny", "num_hidden_layers", "0", "field 'num_hidden_layers' must be in [1, 1,024], but is 0.")]
    [InlineData("llama-tiny", "num_hidden_layers", "2147483647", "field 'num_hidden_layers' must be in [1, 1,024], but is 2,147,483,647.")]
    [InlineData("opt-tiny", "num_hidden_layers", "100000", "field 'num_hidden_layers' must be in [1, 1,024], but is 100,000.")]
    [InlineData("opt-tiny", "max_position_embeddings", "2147483647", "field 'max_position_embeddings' must be in [1, 16,777,216], but is 2,147,483,647.")]
    [InlineData("llama-tiny", "max_position_embeddings", "2147483646", "field 'max_position_embeddings' must be in [1, 16,777,216], but is 2,147,483,646.")]
    [InlineData("llama-tiny", "hidden_size", "1e300", "field 'hidden_size' must be in [1, 65,536], but is 1E+300.")]
    [InlineData("llama-tiny", "vocab_size", "-1", "field 'vocab_size' must be in [1, 16,777,216], but is -1.")]
    [InlineData("llama-tiny", "intermediate_size", "64.5", "field 'intermediate_size' must be an integer, but is the number 64.5.")]
    [InlineData("llama-tiny", "rope_parameters", "{\"rope_type\": \"default\", \"rope_theta\": 1e300}", "field 'rope_parameters.rope_theta' must be in [1, 1,000,000,000,000], but is 1E+300.")]
    [InlineData("llama-tiny", "rms_norm_eps", "0", "field 'rms_norm_eps' must be in [1E-12, 0.1], but is 0.")]
    [InlineData("llama-tiny", "num_key_value_heads", "2147483647", "field 'num_key_value_heads' must be in [1, 1,024], but is 2,147,483,647.")]
    [InlineData("llama-tiny", "head_dim", "2147483647", "field 'head_dim' is 2147483647, but the engines need hidden_size / num_attention_heads = 16")]
    [InlineData("llama-tiny", "num_key_value_heads", "3", "KvHeads (3) must divide Heads (4)")]
    [InlineData("llama-tiny", "dtype", "\"float64\"", "field 'dtype' is 'float64', which is not supported")]
    [InlineData("opt-tiny", "word_embed_proj_dim", "32", "field 'word_embed_proj_dim' is 32, not hidden_size (64): OPT models with embedding projections (opt-350m) are not supported")]
    [InlineData("opt-tiny", "do_layer_norm_before", "false", "field 'do_layer_norm_before' is false")]
    [InlineData("opt-tiny", "activation_function", "\"silu\"", "field 'activation_function' is 'silu'")]
    [InlineData("opt-tiny", "layer_norm_elementwise_affine", "false", "field 'layer_norm_elementwise_affine' is false")]
    public void Unsupported_or_ill_typed_fields_are_named(string fixture, string field, string json, string expected)
    {
        var error = Should.Throw<CheckpointException>(() => ReadEdited(fixture, config => config[field] = JsonNode.Parse(json)));

        error.Code.ShouldBe(ErrorCodes.UnsupportedModelConfig);
        error.Message.ShouldContain(Path.Combine(fixture, "config.json"));
        error.Message.ShouldContain(expected);
    }

    [Fact]
    public void Missing_fields_files_and_families_are_named()
    {
        Should.Throw<CheckpointException>(() => ReadEdited("opt-tiny", config => config.Remove("ffn_dim"))).Message
            .ShouldContain("field 'ffn_dim' is missing");
        Should.Throw<CheckpointException>(() => ReadEdited("opt-tiny", config => { config.Remove("architectures"); config["model_type"] = "gpt2"; })).Message
            .ShouldContain("field 'model_type' is 'gpt2', which is not supported; supported: opt, llama, mistral, qwen2");
        using var temp = new TempFolder();
        Should.Throw<CheckpointException>(() => HuggingFaceConfig.Read(temp.File("config.json"))).Message.ShouldContain("does not exist");
        File.WriteAllText(temp.File("config.json"), "{\"hidden_size\": 64,");
        Should.Throw<CheckpointException>(() => HuggingFaceConfig.Read(temp.File("config.json"))).Message.ShouldContain(temp.File("config.json"));
    }

    [Fact]
    public void Eos_ids_come_from_generation_config_then_config()
    {
        GenerationConfig.ReadEosTokenIds(Fixtures.Folder("opt-tiny")).ShouldBe(new[] { 2 });

        using var copy = Fixtures.Copy("llama-tiny");
        File.WriteAllText(copy.File("generation_config.json"), "{\"eos_token_id\": [2, 511]}");
        GenerationConfig.ReadEosTokenIds(copy.Path).ShouldBe(new[] { 2, 511 });

        File.Delete(copy.File("generation_config.json"));
        GenerationConfig.ReadEosTokenIds(copy.Path).ShouldBe(new[] { 2 });

        File.WriteAllText(copy.File("generation_config.json"), "{\"eos_token_id\": \"2\"}");
        Should.Throw<CheckpointException>(() => GenerationConfig.ReadEosTokenIds(copy.Path)).Message.ShouldContain("field 'eos_token_id' must be a number");
    }

    private static ModelSpec Read(string fixture) => HuggingFaceConfig.Read(Path.Combine(Fixtures.Folder(fixture), "config.json"));

    private static ModelSpec ReadEdited(string fixture, System.Action<JsonObject> edit)
    {
        using var copy = Fixtures.Copy(fixture);
        string path = copy.File("config.json");
        var config = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(config);
        File.WriteAllText(path, config.ToJsonString());
        return HuggingFaceConfig.Read(path);
    }
}
