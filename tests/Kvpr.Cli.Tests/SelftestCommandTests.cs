using System;
using System.IO;
using Kvpr.Runtime.Tests.Cuda;

namespace Kvpr.Cli.Tests;

public class SelftestCommandTests
{
    [Fact]
    public void The_cpu_selftest_emits_the_kernels_of_each_model_and_passes()
    {
        var output = new StringWriter();
        var error = new StringWriter();

        int exitCode = SelftestCommand.Run("cpu", new[] { "opt-125m", "llama-2-7b" }, output, error);

        exitCode.ShouldBe(0, output.ToString());
        output.ToString().ShouldContain("PASS  emit kernels opt-125m");
        output.ToString().ShouldContain("PASS  emit kernels llama-2-7b");
        output.ToString().ShouldContain("INFO  Nccl library: ");
        output.ToString().ShouldContain("PASS: all 2 checks passed.");
        error.ToString().ShouldBeEmpty();
    }

    [Fact]
    public void An_unknown_model_is_a_failed_check_naming_it()
    {
        var output = new StringWriter();

        int exitCode = SelftestCommand.Run("cpu", new[] { "/no/such/config.json" }, output, new StringWriter());

        exitCode.ShouldBe(1);
        output.ToString().ShouldContain("FAIL  emit kernels /no/such/config.json");
        output.ToString().ShouldContain("FAIL: 1 of 1 checks failed.");
    }

    [WithoutCudaFact]
    public void Without_a_driver_the_cuda_selftest_prints_one_sentence_and_exits_1()
    {
        var output = new StringWriter();
        var error = new StringWriter();

        int exitCode = SelftestCommand.Run("cuda", Array.Empty<string>(), output, error);

        exitCode.ShouldBe(1);
        output.ToString().ShouldBeEmpty();
        error.ToString().TrimEnd().ShouldStartWith("No CUDA driver was found");
        error.ToString().TrimEnd().ShouldNotContain("\n");
    }

    [Theory]
    [InlineData("cpu", "CPU attention", 1, "--only picks fixture checks, which run on the GPU; use it with --device cuda.")]
    [InlineData("cuda", null, 3, "--repeat runs the checks that --only picks; give --only too.")]
    [InlineData("cuda", "CPU attention", 0, "--repeat is 0; give 1 or more.")]
    public void Only_and_repeat_where_they_cannot_apply_are_one_sentence_before_any_check(string device, string? only, int repeat, string message)
    {
        var output = new StringWriter();
        var error = new StringWriter();

        int exitCode = SelftestCommand.Run(device, Array.Empty<string>(), output, error, selection: new SelftestCommand.FixtureSelection(only, repeat));

        exitCode.ShouldBe(1);
        output.ToString().ShouldBeEmpty();
        error.ToString().TrimEnd().ShouldBe(message);
    }
}
