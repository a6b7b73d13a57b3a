using System.Linq;
using Kvpr.Planning;

namespace Kvpr.Compiler.Tests.Limits;

/// <summary>Spec and workload values out of range are refused by field, and sizes within range never overflow.</summary>
public class SpecRangeTests
{
    private static readonly ModelSpec Opt67 = ModelCatalog.Get("opt-6.7b");

    [Theory]
    [InlineData(nameof(ModelSpec.MaxPositions), int.MaxValue, "MaxPositions must be in [1, 16,777,216], but is 2,147,483,647.")]
    [InlineData(nameof(ModelSpec.MaxPositions), int.MaxValue - 1, "MaxPositions must be in [1, 16,777,216], but is 2,147,483,646.")]
    [InlineData(nameof(ModelSpec.Layers), int.MaxValue, "Layers must be in [1, 1,024], but is 2,147,483,647.")]
    [InlineData(nameof(ModelSpec.Layers), 100_000, "Layers must be in [1, 1,024], but is 100,000.")]
    [InlineData(nameof(ModelSpec.Vocab), -1, "Vocab must be in [1, 16,777,216], but is -1.")]
    [InlineData(nameof(ModelSpec.FfnHidden), int.MaxValue, "FfnHidden must be in [1, 1,048,576], but is 2,147,483,647.")]
    public void A_dimension_out_of_range_names_the_field_the_value_and_the_range(string field, int value, string message)
    {
        var spec = field switch
        {
            nameof(ModelSpec.MaxPositions) => Opt67 with { MaxPositions = value },
            nameof(ModelSpec.Layers) => Opt67 with { Layers = value },
            nameof(ModelSpec.Vocab) => Opt67 with { Vocab = value },
            _ => Opt67 with { FfnHidden = value },
        };
        var error = spec.Validate().ShouldHaveSingleItem();
        (error.Code, error.Field, error.Message).ShouldBe((ErrorCodes.InvalidDimension, field, message));
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(0.0)]
    [InlineData(1e300)]
    public void Rope_theta_and_eps_must_be_finite_and_physical(double value)
    {
        var llama = ModelCatalog.Get("llama-2-7b");
        (llama with { RopeTheta = value }).Validate().ShouldContain(e => e.Field == nameof(ModelSpec.RopeTheta) && e.Message.Contains("[1, 1,000,000,000,000]"));
        (llama with { NormEps = value }).Validate().ShouldContain(e => e.Field == nameof(ModelSpec.NormEps));
    }

    [Fact]
    public void Sizes_of_a_model_at_every_limit_stay_positive()
    {
        var largest = ModelSpec.Opt("largest", (int)ModelLimits.Hidden.Max, (int)ModelLimits.Layers.Max, 256, (int)ModelLimits.FfnHidden.Max,
            (int)ModelLimits.Vocab.Max, (int)ModelLimits.MaxPositions.Max);
        largest.Validate().ShouldBeEmpty();
        // Closed forms: 4h² + 2hf + 9h + f per OPT layer; (2V + P + 2 + 2)h outside (tied head, positions from 2).
        long h = largest.Hidden, f = largest.FfnHidden, v = largest.Vocab, p = largest.MaxPositions;
        largest.LayerWeightElements.ShouldBe(4 * h * h + 2 * h * f + 9 * h + f);
        largest.OuterWeightElements.ShouldBe(v * h + (p + 2) * h + 2 * h);
    }

    [Fact]
    public void The_issues_near_max_positions_give_a_clear_error_instead_of_negative_memory()
    {
        var result = DecodePlanner.Plan(Opt67 with { MaxPositions = int.MaxValue - 1 }, HardwareProfiles.Default,
            new DecodeWorkload { Batch = 32, PromptLength = 1024, MaxNewTokens = 32 });
        result.Plan.ShouldBeNull();
        result.Errors.ShouldHaveSingleItem().Field.ShouldBe(nameof(ModelSpec.MaxPositions));
    }

    [Fact]
    public void A_workload_whose_store_exceeds_a_petabyte_is_refused_before_any_size_overflows()
    {
        var spec = ModelSpec.Opt("long", 65536, 1024, 256, 1 << 18, maxPositions: 1 << 24);
        var workload = new DecodeWorkload { Objective = Objective.Throughput, Batch = 65536, MicroBatches = 1024, PromptLength = (1 << 24) - 1, MaxNewTokens = 1 };
        var error = workload.Validate(spec).ShouldHaveSingleItem();
        error.Code.ShouldBe(ErrorCodes.InvalidWorkload);
        error.Message.ShouldContain("more than the 1,125,899,906,842,624 bytes (1 PiB)");
        DecodePlanner.Plan(spec, HardwareProfiles.Default, workload).Errors.ShouldHaveSingleItem().ShouldBe(error);
    }

    [Fact]
    public void A_prompt_longer_than_the_positions_is_named_as_such()
    {
        var error = new DecodeWorkload { PromptLength = 4096, MaxNewTokens = 1 }.Validate(Opt67).ShouldHaveSingleItem();
        (error.Field, error.Message).ShouldBe((nameof(DecodeWorkload.PromptLength), "PromptLength (4096) exceeds the model's MaxPositions (2048)."));
    }
}
