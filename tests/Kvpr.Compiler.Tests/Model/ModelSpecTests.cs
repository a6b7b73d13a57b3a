using System.Linq;

namespace Kvpr.Compiler.Tests.Model;

public class ModelSpecTests
{
    [Fact]
    public void Every_built_in_model_is_valid()
    {
        foreach (var name in ModelCatalog.Names)
            ModelCatalog.Get(name).Validate().ShouldBeEmpty(name);
    }

    [Fact]
    public void Opt_6_7b_has_the_published_parameter_count()
    {
        var spec = ModelCatalog.Get("opt-6.7b");
        long parameters = spec.Layers * spec.LayerWeightElements + spec.OuterWeightElements;
        // 6.658 billion parameters in the Hugging Face checkpoint (lm_head tied).
        (parameters / 1e9).ShouldBe(6.658, 0.002);
    }

    [Theory]
    // Parameter counts of the Hugging Face checkpoints (model cards; untied heads, Qwen2's q, k, v biases).
    [InlineData("llama-3-8b", 8.030)]
    [InlineData("llama-3-70b", 70.554)]
    [InlineData("mistral-7b", 7.242)]
    [InlineData("qwen2.5-7b", 7.616)]
    [InlineData("qwen2.5-14b", 14.770)]
    public void Family_presets_have_the_published_parameter_counts(string name, double billions)
    {
        var spec = ModelCatalog.Get(name);
        long parameters = spec.Layers * spec.LayerWeightElements + spec.OuterWeightElements;
        (parameters / 1e9).ShouldBe(billions, 0.002);
    }

    [Theory]
    [InlineData(RopeScaling.Linear, 0.5, 0, 0, 0, "RopeScalingFactor")]
    [InlineData(RopeScaling.Llama3, 8, 4, 1, 8192, "RopeHighFrequencyFactor")]
    [InlineData(RopeScaling.Llama3, 8, 0, 4, 8192, "RopeLowFrequencyFactor")]
    [InlineData(RopeScaling.Llama3, 8, 1, 4, 0, "RopeOriginalMaxPositions")]
    [InlineData(RopeScaling.Linear, 2, 1, 0, 0, "RopeLowFrequencyFactor")]
    [InlineData(RopeScaling.None, 2, 0, 0, 0, "RopeScalingFactor")]
    [InlineData(RopeScaling.None, 0, 0, 0, 8192, "RopeOriginalMaxPositions")]
    public void Rope_scaling_parameters_are_checked_as_hugging_face_checks_them(RopeScaling scaling, double factor, double low, double high, int original, string field)
    {
        var spec = ModelSpec.Llama("scaled", 4096, 2, 32, 8, 1024) with
        {
            RopeScaling = scaling, RopeScalingFactor = factor, RopeLowFrequencyFactor = low, RopeHighFrequencyFactor = high, RopeOriginalMaxPositions = original,
        };

        spec.Validate().ShouldContain(e => e.Code == ErrorCodes.InvalidValue && e.Field == field, string.Join("; ", spec.Validate()));
    }

    [Fact]
    public void Windows_and_rope_scaling_belong_to_rotary_models()
    {
        var opt = ModelCatalog.Get("opt-125m");

        (opt with { SlidingWindow = 128 }).Validate().ShouldContain(e => e.Field == nameof(ModelSpec.SlidingWindow));
        (opt with { RopeScaling = RopeScaling.Linear, RopeScalingFactor = 2 }).Validate().ShouldContain(e => e.Field == nameof(ModelSpec.RopeScaling));
        (ModelCatalog.Get("mistral-7b") with { SlidingWindow = -1 }).Validate().ShouldContain(e => e.Field == nameof(ModelSpec.SlidingWindow));
    }

    [Theory]
    [InlineData(4096, 30, 30, ErrorCodes.HeadsDoNotDivideHidden, "Heads")]
    [InlineData(4096, 32, 5, ErrorCodes.KvHeadsDoNotDivideHeads, "KvHeads")]
    [InlineData(4100, 4, 4, ErrorCodes.UnsupportedHeadDim, "Heads")]
    [InlineData(0, 32, 32, ErrorCodes.InvalidDimension, "Hidden")]
    public void Invalid_dimensions_are_reported_with_code_and_field(int hidden, int heads, int kvHeads, string code, string field)
    {
        var spec = ModelSpec.Llama("bad", hidden, 2, heads, kvHeads, 1024);
        var errors = spec.Validate();
        errors.ShouldContain(e => e.Code == code && e.Field == field, string.Join("; ", errors));
    }

    [Fact]
    public void Head_dim_defaults_to_hidden_over_heads_and_the_query_is_as_wide_as_the_model()
    {
        var spec = ModelCatalog.Get("llama-3-8b");

        spec.HeadDim.ShouldBe(4096 / 32);
        spec.QueryDim.ShouldBe(spec.Hidden);
    }

    [Fact]
    public void An_explicit_head_dim_makes_a_query_narrower_than_the_model_with_its_own_weights()
    {
        // A quarter of Llama 3 8B's heads: 8 heads and 2 KV heads of 128, as a rank of four holds them.
        var spec = ModelCatalog.Get("llama-3-8b") with { Heads = 8, KvHeads = 2, FfnHidden = 14336 / 4, HeadDim = 128 };

        spec.Validate().ShouldBeEmpty();
        spec.QueryDim.ShouldBe(1024);
        spec.KvDim.ShouldBe(256);
        // q and o are [1024, 4096] and [4096, 1024], k and v [256, 4096], three MLP matrices, two RMSNorms.
        spec.LayerWeightElements.ShouldBe(2L * 1024 * 4096 + 2L * 256 * 4096 + 3L * 4096 * 3584 + 2 * 4096);
        var map = WeightMap.For(spec);
        map.Get(WeightMapRole.QueryWeight, 0).Shape.ShouldBe(new[] { 1024, 4096 });
        map.Get(WeightMapRole.AttentionOutputWeight, 0).Shape.ShouldBe(new[] { 4096, 1024 });
    }

    [Theory]
    [InlineData(12)]
    [InlineData(-8)]
    [InlineData(264)]
    public void An_explicit_head_dim_the_kernels_cannot_take_is_named(int headDim)
    {
        var errors = (ModelCatalog.Get("llama-3-8b") with { HeadDim = headDim }).Validate();

        errors.ShouldContain(e => e.Code == ErrorCodes.UnsupportedHeadDim && e.Field == nameof(ModelSpec.HeadDim), string.Join("; ", errors));
    }

    [Fact]
    public void Workload_longer_than_the_position_table_is_refused()
    {
        var spec = ModelCatalog.Get("opt-125m");
        var errors = new DecodeWorkload { Batch = 1, PromptLength = 2000, MaxNewTokens = 100 }.Validate(spec);
        errors.Single().Code.ShouldBe(ErrorCodes.InvalidWorkload);
        errors.Single().Message.ShouldContain("2048");
    }
}
