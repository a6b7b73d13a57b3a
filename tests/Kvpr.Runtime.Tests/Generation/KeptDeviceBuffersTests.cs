using System;
using System.Linq;
using System.Threading;
using Kvpr.Planning;
using Kvpr.Runtime.Tests.Execution;

namespace Kvpr.Runtime.Tests.Generation;

/// <summary>
/// An engine keeps a generation's device buffers, resident weights included, for its next generation of the same
/// shape: on a device that counts what it reserves and copies, the later generation reserves nothing and copies only
/// what its steps report; another shape, or a cancelled generation, allocates and uploads again. Every generation
/// still gives Hugging Face's tokens.
/// </summary>
public class KeptDeviceBuffersTests
{
    private static readonly FixtureReference Opt = FixtureReference.Get("opt-tiny");

    /// <summary>KV offloaded (so steps copy from the host) and every layer's weights resident (uploaded with the buffers).</summary>
    private static readonly Residency WeightsResident = Residency.WeightsOnly(Opt.Spec);

    [Fact]
    public void A_second_generation_of_the_same_shape_reuses_the_buffers_and_uploads_no_weights()
    {
        var device = new CountingDevice(Opt.Spec.ElementBytes);
        using var engine = CreateEngine(device);
        long engineCopies = device.HostToDeviceElements;

        var first = Generate(engine, Opt.NewTokens);
        long firstCopies = device.HostToDeviceElements - engineCopies, allocated = device.DeviceBytes;
        var second = Generate(engine, Opt.NewTokens);
        long secondCopies = device.HostToDeviceElements - engineCopies - firstCopies;

        device.Reservations.ShouldBe(1);
        device.DeviceBytes.ShouldBe(allocated);
        secondCopies.ShouldBe(StepElements(second));
        firstCopies.ShouldBe(StepElements(first) + Opt.Spec.Layers * Opt.Spec.LayerWeightElements);
        first.Tokens.ShouldBe(Expected(Opt.NewTokens));
        second.Tokens.ShouldBe(Expected(Opt.NewTokens));
    }

    [Fact]
    public void Another_shape_allocates_and_uploads_again()
    {
        var device = new CountingDevice(Opt.Spec.ElementBytes);
        using var engine = CreateEngine(device);
        Generate(engine, Opt.NewTokens);
        long before = device.HostToDeviceElements;

        // Fewer new tokens: the KV buffers hold fewer tokens.
        var shorter = Generate(engine, Opt.NewTokens - 1);

        device.Reservations.ShouldBe(2);
        (device.HostToDeviceElements - before).ShouldBe(StepElements(shorter) + Opt.Spec.Layers * Opt.Spec.LayerWeightElements);
        shorter.Tokens.ShouldBe(Expected(Opt.NewTokens - 1));
    }

    [Fact]
    public void A_cancelled_generation_releases_the_kept_buffers_and_the_next_one_allocates_them_again()
    {
        var device = new CountingDevice(Opt.Spec.ElementBytes);
        using var engine = CreateEngine(device);
        Generate(engine, Opt.NewTokens);

        using (var cancellation = new CancellationTokenSource())
        {
            var progress = new SynchronousProgress(step =>
            {
                if (step.Step == 1)
                    cancellation.Cancel();
            });
            Should.Throw<OperationCanceledException>(() => engine.Generate(Opt.Prompts, Options(Opt.NewTokens), cancellation.Token, progress));
        }
        var again = Generate(engine, Opt.NewTokens);

        device.Reservations.ShouldBe(2);
        again.Tokens.ShouldBe(Expected(Opt.NewTokens));
    }

    private static Engine CreateEngine(CountingDevice device) => new(Opt.Weights,
        new EngineOptions { Split = SplitPolicy.Fraction(0.5), Residency = WeightsResident }, device, device.Ops);

    private static GenerationResult Generate(Engine engine, int newTokens) => engine.Generate(Opt.Prompts, Options(newTokens));

    private static GenerationOptions Options(int newTokens) => new() { MaxNewTokens = newTokens, StopOnEos = false };

    /// <summary>Elements the steps of <paramref name="result"/> report copying from the host (fp32 on the CPU backend).</summary>
    private static long StepElements(GenerationResult result) => result.Steps.Sum(step => step.HostToDeviceBytes) / sizeof(float);

    /// <summary>Hugging Face's greedy tokens, as many as generated here.</summary>
    private static int[][] Expected(int newTokens) => Opt.GeneratedTokens.Select(tokens => tokens.Take(newTokens).ToArray()).ToArray();
}
