using System;
using System.Linq;
using System.Threading;
using Kvpr.Graphs;
using Kvpr.Runtime.Cuda;
using Kvpr.Runtime.Cuda.Selftest;
using Kvpr.Runtime.Tests.Checkpoints;
using Kvpr.Runtime.Tests.Generation;

namespace Kvpr.Runtime.Tests.Cuda;

/// <summary>The engine on the CUDA backend: fixtures against Hugging Face, memory released, and a clear refusal without a GPU.</summary>
public sealed class CudaEngineTests
{
    [WithoutCudaFact]
    public void Without_a_gpu_the_cuda_engine_says_why_in_one_sentence()
    {
        var weights = RandomWeights.Create(ModelCatalog.Get(ModelCatalog.TinyName), seed: 1);

        var error = Should.Throw<CudaUnavailableException>(() => new Engine(weights, new EngineOptions { Device = ComputeDevice.Cuda }));

        error.Message.ShouldContain("CUDA");
        error.Message.TrimEnd('.').ShouldNotContain(". ");
    }

    [CudaFact]
    public void Every_fixture_split_and_schedule_matches_hugging_face_on_the_gpu()
    {
        var failures = new BackendSelftest().Fixtures(Fixtures.Root).Where(c => !c.Passed).ToArray();

        failures.ShouldBeEmpty(string.Join(Environment.NewLine, failures.Select(f => $"{f.Name}: {f.Detail}")));
    }

    [CudaFact]
    public void Every_kernel_matches_the_cpu_backend()
    {
        var failures = new KernelSelftest().Run().Where(c => !c.Passed).ToArray();

        failures.ShouldBeEmpty(string.Join(Environment.NewLine, failures.Select(f => $"{f.Name}: {f.Detail}")));
    }

    /// <summary>A generation's memory is kept for the next one of its shape: a cancelled repeat must leave free memory as it was.</summary>
    [CudaFact]
    public void A_cancelled_generation_gives_its_device_memory_back()
    {
        var spec = ModelCatalog.Get(ModelCatalog.TinyName);
        using var engine = new Engine(RandomWeights.Create(spec, seed: 1), new EngineOptions { Device = ComputeDevice.Cuda, Split = SplitPolicy.Fraction(0.5) });
        var prompts = new[] { new[] { 1, 2, 3 }, new[] { 4, 5, 6 } };
        engine.Generate(prompts, new GenerationOptions { MaxNewTokens = 8 });
        using var device = CudaDevice.Open();
        long before = device.MemoryInfo().FreeBytes;
        using var cancellation = new CancellationTokenSource();

        Should.Throw<OperationCanceledException>(() => engine.Generate(prompts, new GenerationOptions { MaxNewTokens = 8 }, cancellation.Token,
            new SynchronousProgress(_ => cancellation.Cancel())));

        device.MemoryInfo().FreeBytes.ShouldBe(before);
    }
}
