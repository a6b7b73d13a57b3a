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
}
