using Kvpr.Samples;

namespace Kvpr.Generators.Tests.Build;

/// <summary>The sample is built by MSBuild through Kvpr.targets, not by a test driver: these check that its build ran the generator.</summary>
public class SampleBuildTests
{
    [Fact]
    public void Building_the_sample_ran_the_generator_with_the_default_profile()
    {
        TinyOpt.Plan.ProfileName.ShouldBe(HardwareProfiles.DefaultName);
        TinyOpt.PlanReport.ShouldContain("Plan for tiny-opt");
    }

    [Fact]
    public void CreateEngine_refuses_weights_of_another_model_saying_what_differs()
    {
        Should.Throw<System.ArgumentException>(() => TinyOpt.CreateEngine(RandomWeights.Create(TinyOpt.Spec with { Layers = 2 }, seed: 1)))
            .Message.ShouldContain("Layers = 2");
    }

    [Fact]
    public void CreateEngine_takes_weights_of_the_same_dimensions_under_another_name()
    {
        // A checkpoint's spec is named after its folder; only the dimensions must agree.
        var weights = RandomWeights.Create(TinyOpt.Spec with { Name = "some-folder" }, seed: 1);
        using var engine = TinyOpt.CreateEngine(weights);
        var prompt = new[] { new[] { 1, 2, 3 } };
        var tokens = engine.Generate(prompt, new GenerationOptions { MaxNewTokens = 2, StopOnEos = false }).Tokens;
        using var same = TinyOpt.CreateEngine(RandomWeights.Create(TinyOpt.Spec, seed: 1));
        tokens.ShouldBe(same.Generate(prompt, new GenerationOptions { MaxNewTokens = 2, StopOnEos = false }).Tokens);
    }

    [Fact]
    public void The_sample_blueprint_equals_the_one_compiled_at_run_time()
    {
        TinyOpt.Blueprint.ShouldBe(EngineBlueprint.Compile(TinyOpt.Spec, HardwareProfiles.Default, TinyOpt.Workload));
    }
}
