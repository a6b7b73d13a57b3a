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
    public void Workload_longer_than_the_position_table_is_refused()
    {
        var spec = ModelCatalog.Get("opt-125m");
        var errors = new DecodeWorkload { Batch = 1, PromptLength = 2000, MaxNewTokens = 100 }.Validate(spec);
        errors.Single().Code.ShouldBe(ErrorCodes.InvalidWorkload);
        errors.Single().Message.ShouldContain("2048");
    }
}
