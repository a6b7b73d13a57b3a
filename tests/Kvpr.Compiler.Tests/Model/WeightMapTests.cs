using System;
using System.IO;
using System.Linq;
using System.Text;
using Kvpr.Json;

namespace Kvpr.Compiler.Tests.Model;

public class WeightMapTests
{
    [Theory]
    [InlineData("opt-125m", 125_239_296L)]
    [InlineData("llama-2-7b", 6_738_415_616L)]
    public void Element_count_matches_the_published_parameter_count(string model, long parameters)
    {
        var map = WeightMap.For(ModelCatalog.Get(model));
        map.Entries.Where(e => e.IsRequired).Sum(e => e.Elements).ShouldBe(parameters);
    }

    [Theory]
    [InlineData("opt-tiny")]
    [InlineData("llama-tiny")]
    [InlineData("llama-tiny-gqa")]
    [InlineData("llama3-tiny")]
    [InlineData("llama-linear-tiny")]
    [InlineData("mistral-tiny")]
    [InlineData("qwen2-tiny")]
    public void Names_and_shapes_match_the_hugging_face_fixture(string fixture)
    {
        var stored = ReadSafetensorsHeader(fixture)
            .Where(p => p.Key != "__metadata__")
            .ToDictionary(p => p.Key, p => p.Value.Required("shape").Items.Select(d => d.AsInt()).ToArray());

        var map = WeightMap.For(FixtureSpec(fixture));

        map.Entries.Where(e => e.IsRequired).Select(e => e.Name).ShouldBe(stored.Keys, ignoreOrder: true);
        foreach (var entry in map.Entries.Where(e => e.IsRequired))
            entry.Shape.ShouldBe(stored[entry.Name], entry.Name);
    }

    [Fact]
    public void Opt_lm_head_is_tied_to_the_token_embedding()
    {
        var head = WeightMap.For(FixtureSpec("opt-tiny")).Get(WeightMapRole.LmHead);
        head.IsRequired.ShouldBeFalse();
        head.TiedTo.ShouldBe("model.decoder.embed_tokens.weight");
    }

    [Fact]
    public void Llama_biases_appear_only_when_the_spec_has_them()
    {
        var spec = FixtureSpec("llama-tiny-gqa") with { AttentionBias = true, AttentionOutputBias = true, MlpBias = true };
        var map = WeightMap.For(spec);
        map.Get(WeightMapRole.KeyBias, 1).ShouldBe(new WeightMapEntry("model.layers.1.self_attn.k_proj.bias", WeightMapRole.KeyBias, 1, new[] { 32 }));
        map.Get(WeightMapRole.AttentionOutputBias, 0).Shape.ShouldBe(new[] { 64 });
        map.Get(WeightMapRole.GateBias, 0).Shape.ShouldBe(new[] { 192 });
        map.Get(WeightMapRole.DownBias, 0).Shape.ShouldBe(new[] { 64 });
        WeightMap.For(FixtureSpec("llama-tiny-gqa")).TryGet(WeightMapRole.KeyBias, 1, out _).ShouldBeFalse();
    }

    [Fact]
    public void Qwen2_has_q_k_v_biases_under_llama_names_and_no_output_bias()
    {
        var map = WeightMap.For(ModelSpec.Qwen2("qwen", hidden: 64, layers: 2, heads: 4, kvHeads: 2, ffnHidden: 192, vocab: 512, tiedEmbeddings: true));

        map.Get(WeightMapRole.QueryBias, 0).ShouldBe(new WeightMapEntry("model.layers.0.self_attn.q_proj.bias", WeightMapRole.QueryBias, 0, new[] { 64 }));
        map.Get(WeightMapRole.KeyBias, 1).ShouldBe(new WeightMapEntry("model.layers.1.self_attn.k_proj.bias", WeightMapRole.KeyBias, 1, new[] { 32 }));
        map.Get(WeightMapRole.ValueBias, 1).Name.ShouldBe("model.layers.1.self_attn.v_proj.bias");
        map.TryGet(WeightMapRole.AttentionOutputBias, 0, out _).ShouldBeFalse();
        map.Get(WeightMapRole.LmHead).TiedTo.ShouldBe("model.embed_tokens.weight");
    }

    [Fact]
    public void Mistral_uses_the_llama_names_without_biases()
    {
        var mistral = ModelSpec.Mistral("mistral", hidden: 64, layers: 2, heads: 4, kvHeads: 2, ffnHidden: 192, vocab: 512);
        var llama = ModelSpec.Llama("llama", hidden: 64, layers: 2, heads: 4, kvHeads: 2, ffnHidden: 192, vocab: 512);

        WeightMap.For(mistral).ShouldBe(WeightMap.For(llama));
    }

    [Fact]
    public void Maps_have_value_equality()
    {
        var spec = FixtureSpec("llama-tiny");
        WeightMap.For(spec).ShouldBe(WeightMap.For(spec with { Name = "other" }));
        WeightMap.For(spec).GetHashCode().ShouldBe(WeightMap.For(spec).GetHashCode());
        WeightMap.For(spec).ShouldNotBe(WeightMap.For(spec with { KvHeads = 2 }));
    }

    [Fact]
    public void Asking_for_a_weight_the_model_lacks_names_it()
    {
        var error = Should.Throw<System.Collections.Generic.KeyNotFoundException>(() => WeightMap.For(FixtureSpec("opt-tiny")).Get(WeightMapRole.GateWeight, 0));
        error.Message.ShouldContain("GateWeight");
    }

    /// <summary>The dimensions tests/fixtures/README.md gives for each fixture.</summary>
    private static ModelSpec FixtureSpec(string fixture) => fixture switch
    {
        "opt-tiny" => ModelSpec.Opt(fixture, hidden: 64, layers: 2, heads: 4, ffnHidden: 256, vocab: 512, maxPositions: 128),
        "llama-tiny" => ModelSpec.Llama(fixture, hidden: 64, layers: 2, heads: 4, kvHeads: 4, ffnHidden: 192, vocab: 512, maxPositions: 128),
        "llama-tiny-gqa" => ModelSpec.Llama(fixture, hidden: 64, layers: 2, heads: 4, kvHeads: 2, ffnHidden: 192, vocab: 512, maxPositions: 128),
        "llama3-tiny" => ModelSpec.Llama(fixture, hidden: 64, layers: 2, heads: 4, kvHeads: 2, ffnHidden: 192, vocab: 512, maxPositions: 128, tiedEmbeddings: true),
        "llama-linear-tiny" => ModelSpec.Llama(fixture, hidden: 64, layers: 2, heads: 4, kvHeads: 4, ffnHidden: 192, vocab: 512, maxPositions: 128),
        "mistral-tiny" => ModelSpec.Mistral(fixture, hidden: 64, layers: 2, heads: 4, kvHeads: 2, ffnHidden: 192, vocab: 512, maxPositions: 128, slidingWindow: 8),
        "qwen2-tiny" => ModelSpec.Qwen2(fixture, hidden: 64, layers: 2, heads: 4, kvHeads: 2, ffnHidden: 192, vocab: 512, maxPositions: 128, tiedEmbeddings: true),
        _ => throw new ArgumentException(fixture),
    };

    /// <summary>The JSON header of a fixture's model.safetensors: a little-endian u64 length, then the JSON.</summary>
    private static System.Collections.Generic.IReadOnlyList<System.Collections.Generic.KeyValuePair<string, JsonNode>> ReadSafetensorsHeader(string fixture)
    {
        string path = Path.Combine(FixturesFolder(), fixture, "model.safetensors");
        using var stream = File.OpenRead(path);
        var lengthBytes = new byte[8];
        stream.ReadExactly(lengthBytes);
        var json = new byte[BitConverter.ToInt64(lengthBytes)];
        stream.ReadExactly(json);
        return JsonParser.Parse(Encoding.UTF8.GetString(json), path).Properties;
    }

    /// <summary>tests/fixtures, from this assembly's bin/Debug/net10.0 folder.</summary>
    private static string FixturesFolder() => Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "fixtures"));
}
