using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using Kvpr.Json;
using Kvpr.Planning;

namespace Kvpr.Compiler.Tests.Limits;

/// <summary>Profile values far out of physical range are refused by the reader, naming the field, the value and the range.</summary>
public class ProfileRangeTests
{
    [Theory]
    // The issue's classes: bandwidths, GEMM rates, device memory and launches 15–300 orders of magnitude off,
    // values that overflow to infinity once scaled, and values beyond double itself.
    [InlineData("\"GBps\": 53.779", "\"GBps\": 1e300", "hostToDevice[2].GBps", "[0.001, 100,000] GB/s", "1E+300")]
    [InlineData("\"GBps\": 53.779", "\"GBps\": 1e-300", "hostToDevice[2].GBps", "[0.001, 100,000] GB/s", "1E-300")]
    [InlineData("\"GBps\": 53.779", "\"GBps\": 1.7e308", "hostToDevice[2].GBps", "[0.001, 100,000] GB/s", "1.7E+308")]
    [InlineData("\"GBps\": 53.779", "\"GBps\": 1e400", "hostToDevice[2].GBps", "[0.001, 100,000] GB/s", "Infinity")]
    [InlineData("\"tflops\": 40.026", "\"tflops\": 1e-300", "gemmFp16[0].tflops", "[0.001, 100,000] TFLOP/s", "1E-300")]
    [InlineData("\"tflops\": 40.026", "\"tflops\": 1e20", "gemmFp16[0].tflops", "[0.001, 100,000] TFLOP/s", "1E+20")]
    [InlineData("\"deviceMemoryGBps\": 2980.298", "\"deviceMemoryGBps\": 1e300", "deviceMemoryGBps", "[0.001, 100,000] GB/s", "1E+300")]
    [InlineData("\"kernelLaunchMicroseconds\": 3.921", "\"kernelLaunchMicroseconds\": 1e300", "kernelLaunchMicroseconds", "[0, 10,000] µs", "1E+300")]
    [InlineData("\"kernelLaunchMicroseconds\": 3.921", "\"kernelLaunchMicroseconds\": -1", "kernelLaunchMicroseconds", "[0, 10,000] µs", "-1")]
    [InlineData("\"gpuMemoryBytes\": 85017493504", "\"gpuMemoryBytes\": 1", "gpuMemoryBytes", "[1,048,576, 1,125,899,906,842,624] bytes", "1")]
    [InlineData("\"gpuMemoryBytes\": 85017493504", "\"gpuMemoryBytes\": 2000000000000000", "gpuMemoryBytes", "[1,048,576, 1,125,899,906,842,624] bytes", "2,000,000,000,000,000")]
    [InlineData("\"bytes\": 65536", "\"bytes\": 2199023255552", "hostToDevice[0].bytes", "[1, 1,099,511,627,776] bytes", "2,199,023,255,552")]
    [InlineData("\"m\": 16,", "\"m\": 2147483647,", "gemmFp16[0].m", "[1, 16,777,216]", "2,147,483,647")]
    public void Out_of_range_values_name_the_field_the_value_and_the_range(string original, string replacement, string field, string range, string value)
    {
        var error = Should.Throw<JsonFormatException>(() => HardwareProfileFormat.Parse(Edit(original, replacement), "edited.hwprofile.json"));
        error.Field.ShouldBe(field);
        error.Message.ShouldBe($"edited.hwprofile.json: field '{field}' must be in {range}, but is {value}.");
    }

    [Fact]
    public void A_profile_built_in_code_with_values_out_of_range_is_refused_by_the_planner_by_field()
    {
        var profile = HardwareProfiles.Default with { DeviceMemoryBytesPerSecond = 1e300, KernelLaunchSeconds = double.NaN };
        var result = DecodePlanner.Plan(ModelCatalog.Get("opt-125m"), profile, new DecodeWorkload { Batch = 1, PromptLength = 8, MaxNewTokens = 8 });
        result.Plan.ShouldBeNull();
        result.Errors.Select(e => (e.Code, e.Field)).ShouldBe(new[] { (ErrorCodes.InvalidProfile, "deviceMemoryGBps"), (ErrorCodes.InvalidProfile, "kernelLaunchMicroseconds") });
        result.Errors[0].Message.ShouldContain("field 'deviceMemoryGBps' must be in [0.001, 100,000] GB/s, but is 1");
    }

    /// <summary>
    /// Every corner of the accepted ranges (each quantity at its smallest or largest) against small and large
    /// models and workloads: the planner answers with a plan of finite, positive times or with errors, never an exception.
    /// </summary>
    [Fact]
    public void The_planner_prices_every_corner_of_the_accepted_ranges()
    {
        var models = new[] { ModelCatalog.Get(ModelCatalog.TinyName), ModelCatalog.Get("opt-66b"), ModelCatalog.Get("llama-2-7b") with { MaxPositions = ModelLimits.MaxPositions.Max is var p ? (int)p : 0 } };
        var workloads = new[]
        {
            new DecodeWorkload { Batch = 1, PromptLength = 1, MaxNewTokens = 1 },
            new DecodeWorkload { Objective = Objective.Throughput, Batch = 64, PromptLength = 256, MaxNewTokens = 64, MicroBatches = 4 },
        };
        int plans = 0, refusals = 0;
        foreach (var profile in Corners())
            foreach (var model in models)
                foreach (var workload in workloads)
                {
                    var result = DecodePlanner.Plan(model, profile, workload);
                    if (result.Plan is { } plan)
                    {
                        plans++;
                        plan.Steps.ShouldAllBe(step => double.IsFinite(step.Times.PredictedMs) && step.Times.PredictedMs > 0, profile.Name);
                        plan.GpuBytes.ShouldBeGreaterThan(0);
                    }
                    else
                    {
                        refusals++;
                        result.Errors.ShouldAllBe(e => e.Code == ErrorCodes.WorkloadDoesNotFit, profile.Name);
                        // No negative byte counts: a minus sign not inside a name like opt-66b.
                        result.Errors.ShouldAllBe(e => !Regex.IsMatch(e.Message, @"(?<![\w.])-\d"), profile.Name);
                    }
                }
        plans.ShouldBeGreaterThan(0);
        refusals.ShouldBeGreaterThan(0);
    }

    private static IEnumerable<HardwareProfile> Corners()
    {
        var bandwidths = new[] { HardwareLimits.GigabytesPerSecond.Min, HardwareLimits.GigabytesPerSecond.Max };
        var rates = new[] { HardwareLimits.Teraflops.Min, HardwareLimits.Teraflops.Max };
        var memories = new[] { HardwareLimits.MemoryBytes.Min, HardwareLimits.MemoryBytes.Max };
        var launches = new[] { HardwareLimits.LaunchMicroseconds.Min, HardwareLimits.LaunchMicroseconds.Max };
        foreach (double link in bandwidths)
            foreach (double device in bandwidths)
                foreach (double rate in rates)
                    foreach (double memory in memories)
                        foreach (double launch in launches)
                            yield return new HardwareProfile
                            {
                                Name = $"link {link} GB/s, device {device} GB/s, {rate} TFLOP/s, {memory} bytes, launch {launch} µs",
                                Device = "corner",
                                GpuMemoryBytes = (long)memory,
                                HostMemoryBytes = (long)memory,
                                HostToDeviceSamples = new[] { new TransferSample(1 << 20, link * 1e9), new TransferSample(1L << 30, link * 1e9) },
                                DeviceToHostSamples = new[] { new TransferSample(1L << 30, link * 1e9) },
                                GemmSamples = new[] { new GemmSample(1, 4096, 4096, rate * 1e12), new GemmSample(4096, 4096, 4096, rate * 1e12) },
                                DeviceMemoryBytesPerSecond = device * 1e9,
                                KernelLaunchSeconds = launch * 1e-6,
                            };
    }

    private static string Edit(string original, string replacement)
    {
        string text = HardwareProfiles.StoredText("h100-sxm-pcie5");
        int at = text.IndexOf(original, System.StringComparison.Ordinal);
        at.ShouldBeGreaterThanOrEqualTo(0, original);
        return text.Substring(0, at) + replacement + text.Substring(at + original.Length);
    }
}
