using System;
using System.Linq;
using Kvpr.Runtime.Cuda;
using Kvpr.Runtime.Cuda.Backend;
using Kvpr.Runtime.Cuda.Native;
using Kvpr.Runtime.Cuda.Selftest;

namespace Kvpr.Runtime.Tests.Cuda;

/// <summary>NCCL's bindings: what can be checked without it here, and on a GPU with NCCL the selftest's all-reduces.</summary>
public sealed class NcclTests
{
    [Fact]
    public void A_failure_names_the_call_the_result_its_description_and_nccls_last_error()
    {
        var error = CudaException.Create(CudaLibrary.Nccl, 1, "ncclCommInitAll", Nccl.Detail("Cuda failure 'out of memory'\n"));

        error.ErrorName.ShouldBe("ncclUnhandledCudaError");
        error.Detail.ShouldBe("NCCL's last error: Cuda failure 'out of memory'\n");
        error.Message.ShouldBe("ncclCommInitAll failed with ncclUnhandledCudaError (1): a CUDA call inside NCCL failed; NCCL's last error: Cuda failure 'out of memory'.");
    }

    [Fact]
    public void Without_a_last_error_the_table_describes_the_result()
    {
        var error = CudaException.Create(CudaLibrary.Nccl, 4, "ncclAllReduce", Nccl.Detail(""));

        error.Detail.ShouldBeNull();
        error.Message.ShouldBe("ncclAllReduce failed with ncclInvalidArgument (4): an argument is invalid.");
        CudaException.Create(CudaLibrary.Nccl, 42, "ncclGroupEnd").ErrorName.ShouldBe("NCCL_ERROR_42");
    }

    [Theory]
    [InlineData(22707, "2.27.7")]
    [InlineData(21903, "2.19.3")]
    [InlineData(2804, "2.8.4")]
    public void Version_codes_read_in_both_of_nccls_encodings(int code, string version)
    {
        NcclLibrary.VersionOf(code).ToString().ShouldBe(version);
    }

    [Fact]
    public void A_group_takes_each_gpu_once()
    {
        Should.Throw<ArgumentException>(() => NcclDeviceGroup.RequireDistinct(new[] { 0, 1, 1 })).Message.ShouldStartWith("GPU 1 is listed 2 times");
        Should.Throw<ArgumentException>(() => NcclDeviceGroup.RequireDistinct(Array.Empty<int>())).Message.ShouldStartWith("An NCCL group needs at least one GPU");
        NcclDeviceGroup.RequireDistinct(new[] { 2, 0, 1 });
    }

    [Fact]
    public void NCCLs_element_types_are_those_of_nccl_h()
    {
        CudaElementType.Float16.NcclType().ShouldBe(6);
        CudaElementType.Float32.NcclType().ShouldBe(7);
        CudaElementType.BFloat16.NcclType().ShouldBe(9);
    }

    [WithoutNcclFact]
    public void Without_nccl_the_selftest_skips_with_the_sentence_saying_where_it_looked()
    {
        var checks = new NcclSelftest().Run().ToArray();

        checks.Length.ShouldBe(1);
        checks[0].Verdict.ShouldBe("SKIP");
        checks[0].Detail.ShouldStartWith("NCCL was not found");
        checks[0].Detail.ShouldContain("nvidia/nccl/lib");
    }

    [NcclFact]
    public void The_nccl_selftest_passes_on_this_machine()
    {
        var checks = new NcclSelftest().Run().ToArray();

        checks.ShouldAllBe(c => c.Passed, string.Join(Environment.NewLine, checks.Select(c => $"{c.Verdict} {c.Name}: {c.Detail}")));
        checks.Count(c => !c.Informational).ShouldBeGreaterThanOrEqualTo(3);
    }

    [NcclFact]
    public void A_group_of_every_gpu_has_rank_i_on_gpu_i()
    {
        using var group = NcclDeviceGroup.OpenAll();

        group.RankCount.ShouldBe(CudaDevice.Count());
        group.Communicators.Select(c => (c.Rank, c.Device.Ordinal, c.RankCount)).ShouldBe(Enumerable.Range(0, group.RankCount).Select(i => (i, i, group.RankCount)));
    }

    [NcclFact]
    public void An_all_reduce_refuses_buffers_smaller_than_its_count_before_issuing_any_rank()
    {
        using var group = NcclDeviceGroup.OpenAll();
        var device = group.Communicators[0].Device;
        using var small = device.AllocateDevice(8);
        using var stream = device.CreateStream();
        var ranks = group.Communicators.Select(_ => (small, small, stream)).ToArray();

        Should.Throw<ArgumentException>(() => group.AllReduceSum(ranks, 3, CudaElementType.Float32)).Message.ShouldContain("8 bytes, but 12 are needed");
    }

    [NcclFact]
    public void A_group_with_a_gpu_past_the_last_names_how_many_there_are()
    {
        int count = CudaDevice.Count();

        Should.Throw<CudaUnavailableException>(() => NcclDeviceGroup.Open(new[] { 0, count })).Message.ShouldStartWith($"There is no CUDA device {count}");
    }
}
