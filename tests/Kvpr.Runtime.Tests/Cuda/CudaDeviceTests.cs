using System;
using System.Linq;
using Kvpr.Kernels;
using Kvpr.Runtime.Cuda;

namespace Kvpr.Runtime.Tests.Cuda;

/// <summary>Checks on a real GPU; each skips cleanly on machines without one.</summary>
public sealed class CudaDeviceTests
{
    [CudaFact]
    public void The_selftest_passes_on_this_gpu()
    {
        using var device = CudaDevice.Open();
        var failures = new CudaSelftest(device).Run(new[] { KernelEmitter.Emit(ModelCatalog.Get(ModelCatalog.TinyName)) }).Where(c => !c.Passed).ToArray();
        failures.ShouldBeEmpty(string.Join(Environment.NewLine, failures.Select(f => $"{f.Name}: {f.Detail}")));
    }

    [CudaFact]
    public void Each_gpu_opens_on_its_ordinal_and_one_past_the_last_names_how_many_there_are()
    {
        int count = CudaDevice.Count();
        for (int ordinal = 0; ordinal < count; ordinal++)
        {
            using var device = CudaDevice.Open(ordinal);
            device.Ordinal.ShouldBe(ordinal);
        }

        Should.Throw<CudaUnavailableException>(() => CudaDevice.Open(count)).Message
            .ShouldBe($"There is no CUDA device {count}: the driver sees {count} GPU(s), numbered 0 to {count - 1}.");
    }

    [CudaFact]
    public void A_compile_error_carries_the_program_name_and_the_nvrtc_log()
    {
        using var device = CudaDevice.Open();
        var compiler = new NvrtcCompiler(device.Architecture);

        var error = Should.Throw<KernelCompileException>(() => compiler.Compile("extern \"C\" __global__ void k() { undeclared(); }", "broken.cu"));

        error.ProgramName.ShouldBe("broken.cu");
        error.Log.ShouldContain("undeclared");
    }

    [CudaFact]
    public void Looking_up_a_missing_kernel_names_it()
    {
        using var device = CudaDevice.Open();
        using var module = device.LoadModule(new NvrtcCompiler(device.Architecture).Compile(ToolkitKernels.Source, ToolkitKernels.ProgramName));

        var error = Should.Throw<CudaException>(() => module.GetKernel("no_such_kernel"));

        error.ErrorName.ShouldBe("CUDA_ERROR_NOT_FOUND");
        error.Call.ShouldContain("no_such_kernel");
    }

    [CudaFact]
    public void Copies_refuse_more_bytes_than_a_buffer_holds()
    {
        using var device = CudaDevice.Open();
        using var host = device.AllocatePinned(16);
        using var gpu = device.AllocateDevice(8);
        using var stream = device.CreateStream();

        Should.Throw<ArgumentException>(() => stream.CopyAsync(gpu, host, 16)).Message.ShouldContain("destination");
    }
}
