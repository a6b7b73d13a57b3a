using System.Linq;
using Kvpr.Json;

namespace Kvpr.Compiler.Tests.Hardware;

public class HardwareProfileTests
{
    [Fact]
    public void Every_stored_profile_parses_and_round_trips()
    {
        HardwareProfiles.StoredNames.ShouldBe(new[] { "a100-pcie4", "h100-sxm-pcie5", "h100-sxm-x8-assumed", "rtx5000-pcie4x8", "t4-pcie3" });
        foreach (var name in HardwareProfiles.StoredNames)
        {
            var profile = HardwareProfiles.Stored(name);
            profile.Name.ShouldBe(name);
            var again = HardwareProfileFormat.Parse(HardwareProfileFormat.Write(profile), "round-trip");
            again.HostToDevice.BytesPerSecond.ShouldBe(profile.HostToDevice.BytesPerSecond, profile.HostToDevice.BytesPerSecond * 1e-9);
            again.GemmSamples.Count.ShouldBe(profile.GemmSamples.Count);
            HardwareProfileFormat.Write(profile).ShouldBe(HardwareProfiles.StoredText(name), $"{name} is written as stored");
        }
    }

    [Fact]
    public void H100_link_fit_reproduces_the_measured_bandwidths()
    {
        var link = HardwareProfiles.Default.HostToDevice;
        foreach (var (bytes, gbps) in new[] { (1L << 20, 43.984), (16L << 20, 53.779), (1L << 30, 54.65) })
            (bytes / link.Seconds(bytes) / 1e9).ShouldBe(gbps, gbps * 0.03);
    }

    [Fact]
    public void Gemm_rate_interpolates_in_log_m_and_clamps_outside_the_samples()
    {
        var profile = HardwareProfiles.Default;
        profile.GemmFlopsPerSecond(2048).ShouldBe(723.058e12, 1e6);
        profile.GemmFlopsPerSecond(8).ShouldBe(40.026e12, 1e6);
        profile.GemmFlopsPerSecond(System.Math.Sqrt(2048.0 * 4096)).ShouldBe((723.058e12 + 754.363e12) / 2, 1e9);
        profile.GemmFlopsPerSecond(8192).ShouldBe(759.551e12, 1e6); // the best of the two shapes measured at m = 8192
        profile.GemmFlopsPerSecond(1 << 20).ShouldBe(755.441e12, 1e6);
    }

    [Theory]
    [InlineData("{\"format\":\"kvpr-hwprofile/1\"}", "name", "is missing")]
    [InlineData("{\"format\":\"other\"}", "format", "must be \"kvpr-hwprofile/1\"")]
    [InlineData("[1]", "", "must be a JSON object")]
    [InlineData("{\"format\":\"kvpr-hwprofile/1\",", "", "invalid JSON at line 1")]
    public void Malformed_profiles_are_rejected_naming_the_field(string json, string field, string reason)
    {
        ShouldBeRefused(json, field, reason);
    }

    [Fact]
    public void The_interconnect_is_optional_and_round_trips_in_gigabytes_per_second()
    {
        HardwareProfiles.Default.InterconnectBytesPerSecond.ShouldBeNull();
        string text = ReplaceFirst(HardwareProfiles.StoredText("h100-sxm-pcie5"), "\"deviceMemoryGBps\"", "\"interconnectGBps\": 360.5, \"deviceMemoryGBps\"");

        var profile = HardwareProfileFormat.Parse(text, "nvlink.hwprofile.json");

        profile.InterconnectBytesPerSecond.ShouldBe(360.5e9);
        HardwareProfileFormat.Parse(HardwareProfileFormat.Write(profile), "round-trip").InterconnectBytesPerSecond.ShouldBe(360.5e9);
        (profile with { InterconnectBytesPerSecond = 0 }).Validate().ShouldContain(e => e.Field == "interconnectGBps");
    }

    [Fact]
    public void The_grouped_cpu_attention_rate_is_optional_and_round_trips_in_gigabytes_per_second()
    {
        HardwareProfiles.Default.HostGroupedAttentionBytesPerSecond.ShouldBeNull();
        string text = ReplaceFirst(HardwareProfiles.StoredText("h100-sxm-pcie5"), "\"deviceMemoryGBps\"",
            "\"hostMemoryReadGBps\": 120.2, \"hostAttentionGBps\": 111.5, \"hostGroupedAttentionGBps\": 52.25, \"deviceMemoryGBps\"");

        var profile = HardwareProfileFormat.Parse(text, "host.hwprofile.json");

        profile.HostGroupedAttentionBytesPerSecond.ShouldBe(52.25e9);
        HardwareProfileFormat.Parse(HardwareProfileFormat.Write(profile), "round-trip").HostGroupedAttentionBytesPerSecond.ShouldBe(52.25e9);
        (profile with { HostGroupedAttentionBytesPerSecond = -1 }).Validate().ShouldContain(e => e.Field == "hostGroupedAttentionGBps");
    }

    [Theory]
    [InlineData("\"GBps\": 53.779", "\"GBps\": 0", "hostToDevice[2].GBps", "must be in [0.001, 100,000] GB/s, but is 0")]
    [InlineData("\"gpuMemoryBytes\": 85017493504", "\"gpuMemoryBytes\": \"80GB\"", "gpuMemoryBytes", "must be a number")]
    [InlineData("\"deviceMemoryGBps\": 2980.298", "\"deviceMemoryGbps\": 2980.298", "deviceMemoryGbps", "is not part of the")]
    [InlineData("\"gemmFp16\": [", "\"gemmFp16\": [ {\"m\": 1, \"k\": 1, \"n\": 1, \"tflop\": 1},", "gemmFp16[0].tflop", "is not expected here")]
    public void Wrong_values_in_a_stored_profile_are_rejected_naming_the_field(string original, string replacement, string field, string reason)
    {
        string text = HardwareProfiles.StoredText("h100-sxm-pcie5");
        string broken = ReplaceFirst(text, original, replacement);
        broken.ShouldNotBe(text);
        ShouldBeRefused(broken, field, reason);
    }

    [Fact]
    public void Resolve_names_the_stored_profiles_when_nothing_matches()
    {
        var error = Should.Throw<System.IO.FileNotFoundException>(() => HardwareProfiles.Resolve("no-such-gpu"));
        error.Message.ShouldContain("no-such-gpu");
        error.Message.ShouldContain("h100-sxm-pcie5");
    }

    [Fact]
    public void Transfer_fit_of_exact_affine_samples_recovers_latency_and_bandwidth()
    {
        var samples = new[] { 1L << 16, 1L << 20, 1L << 26 }.Select(b => new TransferSample(b, b / (10e-6 + b / 50e9))).ToArray();
        var model = TransferModel.Fit(samples);
        model.LatencySeconds.ShouldBe(10e-6, 1e-9);
        model.BytesPerSecond.ShouldBe(50e9, 50e9 * 1e-6);
    }

    /// <summary><paramref name="text"/> fails to parse with an error naming the file, <paramref name="field"/> and <paramref name="reason"/>.</summary>
    internal static void ShouldBeRefused(string text, string field, string reason)
    {
        var error = Should.Throw<JsonFormatException>(() => HardwareProfileFormat.Parse(text, "edited.hwprofile.json"));
        error.Field.ShouldBe(field);
        error.Message.ShouldContain("edited.hwprofile.json");
        error.Message.ShouldContain(reason);
    }

    internal static string ReplaceFirst(string text, string original, string replacement)
    {
        int at = text.IndexOf(original, System.StringComparison.Ordinal);
        return at < 0 ? text : text.Substring(0, at) + replacement + text.Substring(at + original.Length);
    }
}
