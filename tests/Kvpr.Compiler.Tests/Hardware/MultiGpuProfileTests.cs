using System.Linq;
using Kvpr.Json;

namespace Kvpr.Compiler.Tests.Hardware;

public class MultiGpuProfileTests
{
    private const string Example = "h100-sxm-x8-assumed";

    [Fact]
    public void A_single_GPU_profile_describes_one_GPU_and_is_its_own_GPU_0()
    {
        var profile = HardwareProfiles.Default;
        profile.GpuCount.ShouldBe(1);
        // Record equality compares the sample lists by reference: ForGpu(0) keeps this profile's lists and its empty OtherGpus.
        profile.ForGpu(0).ShouldBe(profile);
        Should.Throw<System.ArgumentOutOfRangeException>(() => profile.ForGpu(1)).Message.ShouldContain("describes GPUs 0 to 0");
    }

    [Fact]
    public void The_8_GPU_example_lists_seven_more_GPUs_each_with_the_H100_link_and_states_its_assumptions()
    {
        var profile = HardwareProfiles.Stored(Example);
        var h100 = HardwareProfiles.Default;

        profile.GpuCount.ShouldBe(8);
        profile.OtherGpus.Select(g => g.Name).ShouldBe(Enumerable.Range(1, 7).Select(i => $"gpu{i}"));
        profile.InterconnectBytesPerSecond.ShouldBe(360e9);
        profile.HostMemoryReadBytesPerSecond.ShouldBe(430e9);
        profile.Source.ShouldStartWith("NOT MEASURED");
        for (int gpu = 0; gpu < profile.GpuCount; gpu++)
        {
            var single = profile.ForGpu(gpu);
            single.OtherGpus.ShouldBeEmpty();
            single.GpuMemoryBytes.ShouldBe(h100.GpuMemoryBytes);
            single.HostToDevice.ShouldBe(h100.HostToDevice);
            single.DeviceToHost.ShouldBe(h100.DeviceToHost);
            single.GemmFlopsPerSecond(64).ShouldBe(h100.GemmFlopsPerSecond(64));
            single.Validate().ShouldBeEmpty();
        }
        profile.ForGpu(3).Name.ShouldBe($"{Example}, GPU 3 (gpu3)");
        profile.ForGpu(3).Device.ShouldBe("gpu3");
        profile.ForGpu(3).WithGpu(profile.Gpu(0)).Gpu(0).ShouldBe(profile.Gpu(0));
    }

    [Fact]
    public void Other_GPUs_round_trip()
    {
        var profile = HardwareProfiles.Stored(Example);
        var again = HardwareProfileFormat.Parse(HardwareProfileFormat.Write(profile), "round-trip");
        again.GpuCount.ShouldBe(8);
        again.OtherGpus[6].Name.ShouldBe("gpu7");
        again.ForGpu(7).HostToDevice.ShouldBe(profile.ForGpu(7).HostToDevice);
        again.OtherGpus[6].GemmSamples.ShouldBe(profile.OtherGpus[6].GemmSamples);
    }

    [Theory]
    [InlineData("\"name\": \"gpu2\"", "\"name\": \"gpu1\"", "otherGpus", "names the GPU 'gpu1' twice")]
    [InlineData("\"name\": \"gpu2\"", "\"name\": \" \"", "otherGpus[1].name", "must not be empty")]
    [InlineData("\"name\": \"gpu3\",", "\"name\": \"gpu3\", \"deviceMemoryGBps\": 3000,", "otherGpus[2].deviceMemoryGBps", "is not expected here")]
    [InlineData("\"name\": \"gpu4\",\n      \"gpuMemoryBytes\": 85017493504,", "\"name\": \"gpu4\",", "otherGpus[3].gpuMemoryBytes", "is missing")]
    public void Wrong_other_GPUs_are_rejected_naming_the_file_and_the_field(string original, string replacement, string field, string reason)
    {
        string text = HardwareProfiles.StoredText(Example);
        string broken = HardwareProfileTests.ReplaceFirst(text, original, replacement);
        broken.ShouldNotBe(text);
        HardwareProfileTests.ShouldBeRefused(broken, field, reason);
    }

    [Fact]
    public void An_empty_list_of_other_GPUs_is_rejected()
    {
        string text = HardwareProfileTests.ReplaceFirst(HardwareProfiles.StoredText("h100-sxm-pcie5"), "\"deviceMemoryGBps\"", "\"otherGpus\": [], \"deviceMemoryGBps\"");
        HardwareProfileTests.ShouldBeRefused(text, "otherGpus", "must list at least one GPU");
    }

    [Fact]
    public void A_link_sample_out_of_range_in_an_other_GPU_is_rejected_naming_its_path()
    {
        string text = HardwareProfiles.StoredText(Example);
        int gpu5 = text.IndexOf("\"name\": \"gpu5\"", System.StringComparison.Ordinal);
        string broken = text.Substring(0, gpu5) + HardwareProfileTests.ReplaceFirst(text.Substring(gpu5), "\"GBps\": 43.984", "\"GBps\": 0");

        HardwareProfileTests.ShouldBeRefused(broken, "otherGpus[4].hostToDevice[1].GBps", "must be in [0.001, 100,000] GB/s, but is 0");
    }

    [Fact]
    public void Validate_names_an_other_GPU_field_built_in_code()
    {
        var profile = HardwareProfiles.Stored(Example);
        var gpus = profile.OtherGpus.ToArray();
        gpus[1] = gpus[1] with { GemmSamples = System.Array.Empty<GemmSample>(), GpuMemoryBytes = 0 };

        var errors = (profile with { OtherGpus = gpus }).Validate();

        errors.Select(e => e.Field).ShouldBe(new[] { "otherGpus[1].gpuMemoryBytes", "otherGpus[1].gemmFp16" }, ignoreOrder: true);
    }
}
