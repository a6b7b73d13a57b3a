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
}
