using System.Linq;
using Kvpr.Generators.Tests.Infrastructure;

namespace Kvpr.Generators.Tests.Generation;

public class ProfileTests
{
    private static string EntryPointsFile(GeneratorRun run) => run.GeneratedSources.Single(s => s.HintName.EndsWith(".EntryPoints.g.cs")).SourceText.ToString();

    [Fact]
    public void Without_a_profile_the_embedded_default_is_used_and_the_output_says_so()
    {
        var run = GeneratorRun.Run(ModelSources.OptTiny);
        run.Diagnostics.ShouldBeEmpty();
        EntryPointsFile(run).ShouldContain($"Planned with the default hardware profile '{HardwareProfiles.DefaultName}' (embedded in Kvpr)");
    }

    [Fact]
    public void A_stored_profile_can_be_named()
    {
        var run = GeneratorRun.Run(ModelSources.OptTiny, "a100-pcie4");
        run.Diagnostics.ShouldBeEmpty();
        EntryPointsFile(run).ShouldContain("Planned with the stored hardware profile 'a100-pcie4'.");
    }

    [Fact]
    public void A_profile_file_is_read_from_the_additional_files()
    {
        var run = GeneratorRun.Run(ModelSources.OptTiny, "my.hwprofile.json", ("/project/my.hwprofile.json", HardwareProfiles.StoredText("t4-pcie3")));
        run.Diagnostics.ShouldBeEmpty();
        EntryPointsFile(run).ShouldContain("Planned with the hardware profile /project/my.hwprofile.json.");
    }

    [Fact]
    public void A_declaration_asking_for_cpu_attention_on_a_profile_that_measured_the_host_emits_the_cpu_share_and_lane()
    {
        var profile = HardwareProfiles.Default with { Name = "h100-host", HostMemoryReadBytesPerSecond = 150e9, HostAttentionBytesPerSecond = 105e9 };
        var source = ModelSources.Opt6_7BCapped.Replace("GpuMemoryBytes = 20_000_000_000)", "GpuMemoryBytes = 20_000_000_000, CpuAttention = \"auto\")");
        var run = GeneratorRun.Run(source, "h100-host.hwprofile.json", ("/project/h100-host.hwprofile.json", HardwareProfileFormat.Write(profile)));
        run.Diagnostics.ShouldBeEmpty();
        run.Output.GetDiagnostics().Where(d => d.Severity >= Microsoft.CodeAnalysis.DiagnosticSeverity.Warning).ShouldBeEmpty();
        run.GeneratedSources.ShouldContain(s => s.SourceText.ToString().Contains("host / s'"));

        var generated = (EngineBlueprint)run.LoadOutput().GetType("Samples.Opt6_7BCapped")!.GetProperty("Blueprint")!.GetValue(null)!;
        generated.Plan.Table.UsesHostAttention.ShouldBeTrue();
        generated.RowByRowGraph.Nodes.ShouldContain(node => node.Op == Kvpr.Graphs.OpKind.HostAttention);
        generated.Plan.ShouldBe(Kvpr.Planning.DecodePlanner.Plan(generated.Spec, profile with { Name = generated.Plan.ProfileName }, generated.Workload,
            Kvpr.Planning.PlannerOptions.Default with { CpuAttention = Kvpr.Planning.CpuAttentionMode.Auto }).GetPlanOrThrow());
    }

    [Fact]
    public void A_budget_below_the_weights_emits_streamed_layers_loading_in_pieces_as_the_run_time_compiler_builds_them()
    {
        var run = GeneratorRun.Run(ModelSources.Opt6_7BCapped.Replace("GpuMemoryBytes = 20_000_000_000", "GpuMemoryBytes = 8_000_000_000"));
        run.Diagnostics.ShouldBeEmpty();
        run.Output.GetDiagnostics().Where(d => d.Severity >= Microsoft.CodeAnalysis.DiagnosticSeverity.Warning).ShouldBeEmpty();

        var generated = (EngineBlueprint)run.LoadOutput().GetType("Samples.Opt6_7BCapped")!.GetProperty("Blueprint")!.GetValue(null)!;
        generated.Plan.Residency.WeightResidentLayers.ShouldBeLessThan(generated.Spec.Layers);
        generated.ColumnByColumnGraph.Nodes.ShouldContain(node => node.Op == Kvpr.Graphs.OpKind.LoadWeights && node.Part.Count > 1);
        var compiled = EngineBlueprint.Compile(generated.Spec, HardwareProfiles.Default, generated.Workload);
        generated.ColumnByColumnGraph.ShouldBe(compiled.ColumnByColumnGraph);
        generated.RowByRowGraph.ShouldBe(compiled.RowByRowGraph);
    }

    [Fact]
    public void Without_cpu_attention_declared_a_measured_profile_plans_no_cpu_share()
    {
        var profile = HardwareProfiles.Default with { Name = "h100-host", HostMemoryReadBytesPerSecond = 150e9, HostAttentionBytesPerSecond = 105e9 };
        var run = GeneratorRun.Run(ModelSources.Opt6_7BCapped, "h100-host.hwprofile.json", ("/project/h100-host.hwprofile.json", HardwareProfileFormat.Write(profile)));

        run.Diagnostics.ShouldBeEmpty();
        var generated = (EngineBlueprint)run.LoadOutput().GetType("Samples.Opt6_7BCapped")!.GetProperty("Blueprint")!.GetValue(null)!;
        generated.Plan.Table.UsesHostAttention.ShouldBeFalse();
    }

    [Theory]
    [InlineData("\"sometimes\"", "CpuAttention must be \"off\", \"auto\" or a fraction")]
    [InlineData("\"1.5\"", "CpuAttention must be \"off\", \"auto\" or a fraction")]
    [InlineData("\"0.5\"", "has not measured")]
    public void A_bad_or_impossible_cpu_attention_is_a_diagnostic_at_the_argument(string value, string expected)
    {
        var run = GeneratorRun.Run(ModelSources.Opt6_7BCapped.Replace("GpuMemoryBytes = 20_000_000_000)", $"GpuMemoryBytes = 20_000_000_000, CpuAttention = {value})"));

        run.Diagnostics.ShouldContain(d => d.GetMessage().Contains(expected));
        run.GeneratedSources.ShouldBeEmpty();
    }
}
