using System;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using Xunit.Abstractions;

namespace Kvpr.Runtime.Tests.Generation;

/// <summary>Runs alone: it measures the process's memory, handles and threads, which parallel tests would disturb.</summary>
[CollectionDefinition(nameof(EngineLifetimeTests), DisableParallelization = true)]
public sealed class EngineLifetimeCollection;

/// <summary>
/// Many engines created, used and disposed on the CPU backend, and generations cancelled mid-way: what a long-lived
/// process does. Memory, file handles and threads must come back to where they started, and every generation after a
/// cancellation must still give Hugging Face's tokens.
/// </summary>
[Collection(nameof(EngineLifetimeTests))]
public class EngineLifetimeTests(ITestOutputHelper output)
{
    private static readonly FixtureReference Opt = FixtureReference.Get("opt-tiny");
    private const int NewTokens = 8;

    /// <summary>Retained-heap growth allowed over the measured lifetimes: a leaked KV store per lifetime would be ~40 MB.</summary>
    private const long AllowedGrowthBytes = 4 << 20;

    /// <summary>Handles the runtime's own thread pool may open or close between two readings; a handle leaked per lifetime would be 50 by the first.</summary>
    private const int AllowedHandleGrowth = 8;

    [Fact]
    public void Two_hundred_engine_lifetimes_return_memory_handles_and_threads_to_their_start()
    {
        for (int i = 0; i < 20; i++)
            Lifetime(); // the pool's threads, JIT and caches settle first
        var start = Usage.Now();
        for (int lifetime = 1; lifetime <= 200; lifetime++)
        {
            Lifetime();
            if (lifetime % 50 == 0)
            {
                var now = Usage.Now();
                output.WriteLine($"after {lifetime} lifetimes: {now} (start {start})");
                now.HeapBytes.ShouldBeLessThan(start.HeapBytes + AllowedGrowthBytes, $"after {lifetime} lifetimes");
                now.Handles.ShouldBeLessThanOrEqualTo(start.Handles + AllowedHandleGrowth, $"after {lifetime} lifetimes");
                now.Threads.ShouldBeLessThanOrEqualTo(start.Threads + 4, $"after {lifetime} lifetimes");
            }
        }
    }

    [Fact]
    public void A_generation_cancelled_mid_way_releases_its_memory_and_the_engine_generates_again()
    {
        using var engine = new Engine(Opt.Weights);
        Generate(engine).ShouldBe(Expected());
        var start = Usage.Now();

        // Between steps, from the progress report of step 2.
        using (var cancellation = new CancellationTokenSource())
        {
            var progress = new SynchronousProgress(step =>
            {
                if (step.Step == 2)
                    cancellation.Cancel();
            });
            Should.Throw<OperationCanceledException>(() => engine.Generate(Opt.Prompts, new GenerationOptions { MaxNewTokens = NewTokens }, cancellation.Token, progress));
        }
        Generate(engine).ShouldBe(Expected());

        // From another thread while a step runs, at spread-out moments: each run ends cancelled or complete, never half-done.
        int cancelled = 0;
        for (int round = 0; round < 50; round++)
        {
            using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(round % 10));
            try
            {
                engine.Generate(Opt.Prompts, new GenerationOptions { MaxNewTokens = NewTokens }, cancellation.Token).Tokens.ShouldBe(Expected());
            }
            catch (OperationCanceledException)
            {
                cancelled++;
            }
            Generate(engine).ShouldBe(Expected());
        }
        var end = Usage.Now();
        output.WriteLine($"{cancelled} of 50 generations cancelled; {end} (start {start})");
        cancelled.ShouldBeGreaterThan(0);
        end.HeapBytes.ShouldBeLessThan(start.HeapBytes + AllowedGrowthBytes);
        end.Handles.ShouldBeLessThanOrEqualTo(start.Handles + AllowedHandleGrowth);
    }

    private static void Lifetime()
    {
        using var engine = new Engine(Opt.Weights);
        Generate(engine).ShouldBe(Expected());
    }

    private static int[][] Generate(Engine engine) => engine.Generate(Opt.Prompts, new GenerationOptions { MaxNewTokens = NewTokens }).Tokens;

    /// <summary>Hugging Face's greedy tokens, as many as generated here.</summary>
    private static int[][] Expected() => Opt.GeneratedTokens.Select(tokens => tokens.Take(NewTokens).ToArray()).ToArray();

    private sealed record Usage(long HeapBytes, int Handles, int Threads)
    {
        public static Usage Now()
        {
            long heap = GC.GetTotalMemory(forceFullCollection: true);
            using var process = Process.GetCurrentProcess();
            return new Usage(heap, process.HandleCount, process.Threads.Count);
        }

        public override string ToString() => $"{HeapBytes / 1e6:F2} MB heap, {Handles} handles, {Threads} threads";
    }
}
