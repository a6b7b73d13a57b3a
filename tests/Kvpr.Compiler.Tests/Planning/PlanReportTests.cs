using System.Linq;
using Kvpr.Planning;

namespace Kvpr.Compiler.Tests.Planning;

public class PlanReportTests
{
    private static readonly ModelSpec Opt67 = ModelCatalog.Get("opt-6.7b");

    private static DecodePlan Plan(string profile, long cap) => DecodePlanner.Plan(Opt67, HardwareProfiles.Stored(profile),
        new DecodeWorkload { Batch = 32, PromptLength = 1024, MaxNewTokens = 64, GpuMemoryBytes = cap }, PlannerOptions.Default with { MaxLengthBuckets = 4 })
        .GetPlanOrThrow();

    [Fact]
    public void The_report_names_the_profile_the_residency_and_each_bucket_with_both_floors()
    {
        var plan = Plan("h100-sxm-pcie5", 24_000_000_000);
        int k = plan.Residency.KvResidentLayers;
        k.ShouldBeInRange(1, 31);
        string report = PlanReport.Format(plan, Opt67);

        report.ShouldContain("Plan for opt-6.7b on profile h100-sxm-pcie5 (the embedded default profile");
        report.ShouldContain("Workload: latency, batch 32, prompt 1024, 64 new tokens.");
        report.ShouldContain("GPU memory: 23.");
        report.ShouldContain("of a 24.00 GB budget.");
        report.ShouldContain($"Residency: KV cache of layers 0–{k - 1} on the GPU, of the other {32 - k} offloaded to the host; weights of all 32 layers on the GPU.");
        foreach (string bucket in new[] { "1024–1039", "1040–1055", "1056–1071", "1072–1087" })
            report.ShouldContain("\n" + bucket + " ");
        report.ShouldContain("all-KV floor ms");
        report.ShouldContain("Batch 16: 4 buckets");
    }

    [Fact]
    public void A_measured_profile_is_not_called_the_default()
    {
        PlanReport.FormatSummary(Plan("a100-pcie4", 20_000_000_000), Opt67).ShouldNotContain("default");
    }

    [Fact]
    public void A_plan_reported_against_another_model_is_refused()
    {
        Should.Throw<System.ArgumentException>(() => PlanReport.Format(Plan("h100-sxm-pcie5", 20_000_000_000), ModelCatalog.Get("opt-13b")))
            .Message.ShouldContain("made for 'opt-6.7b'");
    }

    [Fact]
    public void A_plan_with_cpu_attention_shows_the_three_shares_per_step_and_one_without_shows_none()
    {
        var options = PlannerOptions.Default with { FixedResidency = Residency.WeightsOnly(Opt67), CpuAttention = CpuAttentionMode.Share(0.25), MaxLengthBuckets = 2 };
        var workload = new DecodeWorkload { Batch = 32, PromptLength = 1024, MaxNewTokens = 4 };
        var plan = DecodePlanner.Plan(Opt67, HostProfiles.H100, workload, options).GetPlanOrThrow();

        string steps = PlanReport.FormatSteps(plan);
        var first = plan.Steps.First();
        steps.Split('\n')[0].ShouldEndWith(" t        h");
        steps.Split('\n')[1].ShouldEndWith($" {first.TransferredTokens,-8} 256");
        PlanReport.FormatTable(plan).ShouldContain("h/s'");
        PlanReport.FormatSummary(plan, Opt67).ShouldContain("CPU attention");

        using var json = System.Text.Json.JsonDocument.Parse(PlanJson.Write(plan, Opt67));
        foreach (var (step, planned) in json.RootElement.GetProperty("steps").EnumerateArray().Zip(plan.Steps))
        {
            step.GetProperty("hostTokens").GetInt32().ShouldBe(planned.Length / 4);
            (step.GetProperty("recomputeTokens").GetInt32() + step.GetProperty("transferredTokens").GetInt32() + step.GetProperty("hostTokens").GetInt32())
                .ShouldBe(planned.Length);
        }
        json.RootElement.GetProperty("table")[0].GetProperty("hostFraction").GetDouble().ShouldBe(0.25);

        var without = Plan("h100-sxm-pcie5", 24_000_000_000);
        PlanReport.Format(without, Opt67).ShouldNotContain("h/s'");
        PlanReport.FormatSteps(without).Split('\n')[0].ShouldEndWith("all-recompute ms");
    }
}
