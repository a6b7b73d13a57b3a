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
    public void A_profile_that_measured_the_host_plans_cpu_attention_into_the_emitted_table()
    {
        var profile = HardwareProfiles.Default with { Name = "h100-host", HostMemoryReadBytesPerSecond = 150e9, HostAttentionBytesPerSecond = 105e9 };
        var run = GeneratorRun.Run(ModelSources.Opt6_7BCapped, "h100-host.hwprofile.json", ("/project/h100-host.hwprofile.json", HardwareProfileFormat.Write(profile)));
        run.Diagnostics.ShouldBeEmpty();
        run.Output.GetDiagnostics().Where(d => d.Severity >= Microsoft.CodeAnalysis.DiagnosticSeverity.Warning).ShouldBeEmpty();
        run.GeneratedSources.ShouldContain(s => s.SourceText.ToString().Contains("host / s'"));

        var generated = (EngineBlueprint)run.LoadOutput().GetType("Samples.Opt6_7BCapped")!.GetProperty("Blueprint")!.GetValue(null)!;
        generated.Plan.Table.UsesHostAttention.ShouldBeTrue();
        generated.Plan.ShouldBe(Kvpr.Planning.DecodePlanner.Plan(generated.Spec, profile with { Name = generated.Plan.ProfileName }, generated.Workload).GetPlanOrThrow());
    }
}
