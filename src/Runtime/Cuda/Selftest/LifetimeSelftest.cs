using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;

namespace Kvpr.Runtime.Cuda.Selftest
{
    /// <summary>
    /// Checks of what a long-lived process does with CUDA engines: many engines created, used and disposed, each
    /// pinning a host store of about 100 MB, must give back device memory (cuMemGetInfo), pinned host memory (which
    /// shows in the process's resident memory) and handles; a generation cancelled mid-way must give back what it
    /// took, and the same engine must then generate exactly what it generated before.
    /// </summary>
    public sealed class LifetimeSelftest
    {
        private const int Batch = 32, PromptLength = 480, NewTokens = 8;

        /// <summary>Resident host memory a lifetime may leave behind (allocator and page cache noise); a leaked store is ~100 MB.</summary>
        private const long ResidentMarginBytes = 64L << 20;

        private readonly int _deviceIndex;
        private readonly ModelSpec _spec = ModelCatalog.Get(ModelCatalog.TinyName);
        private readonly ModelWeights _weights;
        private readonly int[][] _prompts;

        public LifetimeSelftest(int deviceIndex = 0)
        {
            _deviceIndex = deviceIndex;
            _weights = RandomWeights.Create(_spec, seed: 2);
            var random = new Random(3);
            _prompts = Enumerable.Range(0, Batch).Select(_ => Enumerable.Range(0, PromptLength).Select(_ => random.Next(_spec.Vocab)).ToArray()).ToArray();
        }

        private EngineOptions Options => new() { Device = ComputeDevice.Cuda, DeviceIndex = _deviceIndex, Split = SplitPolicy.Fraction(0.5) };

        private static GenerationOptions Generation => new() { MaxNewTokens = NewTokens, StopOnEos = false };

        private string Workload => $"random {_spec.Name}, batch {Batch}, prompt {PromptLength}, {NewTokens} tokens";

        /// <summary><paramref name="lifetimes"/> engines one after another: memory and handles back to their start after each.</summary>
        public SelftestCheck EngineLifetimes(int lifetimes = 50) => BackendSelftest.Guarded($"{lifetimes} engine lifetimes (create, generate, dispose), {Workload}", () =>
        {
            // Held open so that the context outlives the engines and free memory stays comparable.
            using var device = CudaDevice.Open(_deviceIndex);
            for (int i = 0; i < 3; i++)
                Lifetime(); // kernels compiled and cached, libraries loaded, the managed heap grown
            var start = Usage.Of(device);
            var worst = new Usage(0, 0, 0);
            var watch = Stopwatch.StartNew();
            for (int i = 0; i < lifetimes; i++)
            {
                Lifetime();
                var now = Usage.Of(device);
                worst = new Usage(Math.Max(worst.DeviceUsedBytes, now.DeviceUsedBytes - start.DeviceUsedBytes),
                    Math.Max(worst.ResidentBytes, now.ResidentBytes - start.ResidentBytes), Math.Max(worst.Handles, now.Handles - start.Handles));
            }
            bool passed = worst.DeviceUsedBytes <= 0 && worst.ResidentBytes <= ResidentMarginBytes && worst.Handles <= 2;
            return (passed, BackendSelftest.Invariant($"worst after a lifetime: device memory {worst.DeviceUsedBytes / 1e6:F1} MB more in use than at the start (limit 0), resident host memory {worst.ResidentBytes / 1e6:F1} MB more (limit {ResidentMarginBytes / 1e6:F0}), {worst.Handles} more handles (limit 2); {watch.Elapsed.TotalSeconds / lifetimes:F2} s a lifetime"));
        });

        /// <summary>A generation cancelled after its second decode step, then the same engine generating again.</summary>
        public SelftestCheck CancelThenGenerate() => BackendSelftest.Guarded($"generation cancelled after decode step 2, then the same engine again, {Workload}", () =>
        {
            using var device = CudaDevice.Open(_deviceIndex);
            using var engine = new Engine(_weights, Options);
            var expected = engine.Generate(_prompts, Generation).Tokens;
            long freeAfterGeneration = device.MemoryInfo().FreeBytes;

            bool cancelled = false;
            using (var cancellation = new CancellationTokenSource())
            {
                try
                {
                    engine.Generate(_prompts, Generation, cancellation.Token, new StepReport(step =>
                    {
                        if (step.Step == 2)
                            cancellation.Cancel();
                    }));
                }
                catch (OperationCanceledException)
                {
                    cancelled = true;
                }
            }
            long freeAfterCancel = device.MemoryInfo().FreeBytes;
            var again = engine.Generate(_prompts, Generation).Tokens;
            int same = again.Zip(expected).Count(pair => pair.First.SequenceEqual(pair.Second));
            bool passed = cancelled && freeAfterCancel == freeAfterGeneration && same == Batch;
            return (passed, BackendSelftest.Invariant($"{(cancelled ? "cancelled" : "not cancelled")}; device free memory after the cancelled run {(freeAfterCancel - freeAfterGeneration) / 1e6:F1} MB from that after a complete one (limit 0); {same}/{Batch} sequences generated again identically"));
        });

        private void Lifetime()
        {
            using var engine = new Engine(_weights, Options);
            engine.Generate(_prompts, Generation);
        }

        private sealed record Usage(long DeviceUsedBytes, long ResidentBytes, int Handles)
        {
            public static Usage Of(CudaDevice device)
            {
                // Managed memory the last engine let go of is not what is measured.
                GC.Collect();
                GC.WaitForPendingFinalizers();
                GC.Collect();
                var (free, total) = device.MemoryInfo();
                using var process = Process.GetCurrentProcess();
                return new Usage(total - free, ResidentHostBytes(), process.HandleCount);
            }

            /// <summary>VmRSS of /proc/self/status: pinned pages are resident, so a store that is never freed stays in it.</summary>
            private static long ResidentHostBytes()
            {
                const string field = "VmRSS:";
                string? line = File.Exists("/proc/self/status") ? File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith(field, StringComparison.Ordinal)) : null;
                return line is null ? 0 : long.Parse(line.Substring(field.Length).Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
            }
        }

        /// <summary>Reports on the generating thread (System.Progress posts to the thread pool), so the cancellation lands before the next step.</summary>
        private sealed class StepReport(Action<StepStatistics> report) : IProgress<StepStatistics>
        {
            public void Report(StepStatistics value) => report(value);
        }
    }
}
