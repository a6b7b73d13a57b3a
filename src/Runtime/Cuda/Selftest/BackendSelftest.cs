using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using Kvpr.Checkpoints;
using Kvpr.Graphs;
using Kvpr.Planning;

namespace Kvpr.Runtime.Cuda.Selftest
{
    /// <summary>
    /// Checks of the CUDA backend end to end through <see cref="Engine"/>: the fixture checkpoints against Hugging
    /// Face's logits and tokens for every split and both schedules, with weights resident and streamed; a random model
    /// of real dimensions against the CPU backend; the device memory a generation takes against its plan.
    /// </summary>
    public sealed class BackendSelftest
    {
        /// <summary>fp16 against Hugging Face's fp32 (tests/fixtures/README.md).</summary>
        public const double FixtureTolerance = 1e-2;

        /// <summary>bf16 keeps 3 bits fewer than fp16: its activations and KV round 8 times as coarsely.</summary>
        public const double BFloat16FixtureTolerance = 8 * FixtureTolerance;

        /// <summary>‖GPU − CPU‖ / ‖CPU‖ of a logit row: fp16 operands through 24 layers.</summary>
        public const double CpuRelativeTolerance = 1e-2;

        /// <summary>OPT's init_std: attention scores of order one at real widths, so fp16 rounding is not amplified by a one-hot softmax.</summary>
        private const double RealisticMatrixDeviation = 0.02;

        /// <summary>Tokens must agree where the CPU's top two logits are further apart than this.</summary>
        public const double CpuTokenMargin = 0.1;

        private readonly int _deviceIndex;

        public BackendSelftest(int deviceIndex = 0) => _deviceIndex = deviceIndex;

        /// <summary>The splits a fixture is decoded with: every token transferred, every token recomputed, fixed fractions, and l changing per step and layer.</summary>
        public static IReadOnlyList<(string Name, SplitPolicy Policy)> Splits { get; } = new[]
        {
            ("none", SplitPolicy.None),
            ("all", SplitPolicy.All),
            ("one third", SplitPolicy.Fraction(1.0 / 3)),
            ("half", SplitPolicy.Fraction(0.5)),
            ("changing", SplitPolicy.Custom(r => (r.Step * 7 + r.Layer * 3) % (r.Length + 1))),
        };

        /// <summary>
        /// Three-way splits with CPU attention: every stored token attended to on the CPU, and l and the CPU's share changing
        /// per step and layer (with the transfer between them empty in some steps).
        /// </summary>
        public static IReadOnlyList<(string Name, SplitPolicy Policy)> HostSplits { get; } = new[]
        {
            ("all on the CPU", SplitPolicy.Custom(r => new SplitDecision(0, r.Length))),
            ("three ways, changing", SplitPolicy.Custom(ChangingThreeWaySplit)),
        };

        /// <summary>l as the changing two-way split picks it, and the CPU a share of the rest that changes with the step and layer (sometimes all, sometimes none).</summary>
        public static SplitDecision ChangingThreeWaySplit(SplitRequest request)
        {
            int recompute = (request.Step * 7 + request.Layer * 3) % (request.Length + 1);
            return new SplitDecision(recompute, (request.Step + request.Layer) % (request.Length - recompute + 1));
        }

        /// <summary>Every fixture under <paramref name="fixturesFolder"/> × every split × both schedules.</summary>
        public IEnumerable<SelftestCheck> Fixtures(string fixturesFolder) => FixtureCases(fixturesFolder).Select(c => Guarded(c.Name, c.Check));

        /// <summary>The fixture checks by name, not yet run, so a caller can pick some (<c>kvpr selftest --only</c>) or run them again.</summary>
        public IEnumerable<(string Name, Func<(bool Passed, string Detail)> Check)> FixtureCases(string fixturesFolder)
        {
            var folders = Directory.Exists(fixturesFolder)
                ? Directory.GetDirectories(fixturesFolder).Where(f => File.Exists(Path.Combine(f, ReferenceOutputs.FileName))).OrderBy(f => f, StringComparer.Ordinal).ToArray()
                : Array.Empty<string>();
            if (folders.Length == 0)
            {
                yield return ("fixtures", () => (false, $"no fixture with a {ReferenceOutputs.FileName} under {Path.GetFullPath(fixturesFolder)}"));
                yield break;
            }
            foreach (string folder in folders)
                foreach (var (splitName, policy) in Splits)
                    foreach (var schedule in new[] { ScheduleKind.RowByRow, ScheduleKind.ColumnByColumn })
                        yield return ($"fixture {Path.GetFileName(folder)}, split {splitName}, {Describe(schedule)}",
                            () => CheckFixture(folder, FixtureOptions(schedule, 2) with { Split = policy }));
            foreach (string folder in folders)
                foreach (var residency in StreamedResidencies)
                    foreach (var (schedule, microBatches) in new[] { (ScheduleKind.RowByRow, 1), (ScheduleKind.ColumnByColumn, 2), (ScheduleKind.ColumnByColumn, 4) })
                        yield return ($"fixture {Path.GetFileName(folder)}, weights of {residency.WeightResidentLayers} layers resident (the rest streamed), " +
                            $"KV of {residency.KvResidentLayers}, split changing, {(schedule == ScheduleKind.RowByRow ? "row-by-row" : $"column-by-column ({microBatches} micro-batches)")}",
                            () => CheckFixture(folder, FixtureOptions(schedule, microBatches) with { Split = Splits[^1].Policy, Residency = residency }));
            foreach (string folder in folders)
                foreach (var (splitName, policy) in new[] { Splits[1], Splits[^1] })
                    foreach (var schedule in new[] { ScheduleKind.RowByRow, ScheduleKind.ColumnByColumn })
                        yield return ($"fixture {Path.GetFileName(folder)}, prompt prefilled in chunks of {ChunkedPrefillRows} rows, weights streamed, split {splitName}, {Describe(schedule)}",
                            () => CheckFixture(folder, FixtureOptions(schedule, 2) with { Split = policy, Residency = StreamedResidencies[0], PrefillRows = ChunkedPrefillRows }));
            foreach (string folder in folders.Where(f => HuggingFaceConfig.Read(Path.Combine(f, HuggingFaceConfig.FileName)).SlidingWindow == 0))
                foreach (var (splitName, policy) in HostSplits)
                    foreach (var (schedule, microBatches) in new[] { (ScheduleKind.RowByRow, 1), (ScheduleKind.ColumnByColumn, 2) })
                        yield return ($"fixture {Path.GetFileName(folder)}, CPU attention: {splitName}, {(schedule == ScheduleKind.RowByRow ? "row-by-row" : $"column-by-column ({microBatches} micro-batches)")}",
                            () => CheckFixture(folder, FixtureOptions(schedule, microBatches) with { Split = policy }));
            foreach (string folder in folders)
                yield return ($"fixture {Path.GetFileName(folder)}, engine from its blueprint with a marked kernel source", () => CheckBlueprint(folder));
        }

        /// <summary>Rows of a prefill chunk in the chunked-prefill checks: 2 to 8 tokens of the fixtures' prompts a chunk, so later chunks attend to earlier ones.</summary>
        private const int ChunkedPrefillRows = 8;

        /// <summary>Weights streamed through the two slots: every layer's, and all but the first layer's with its KV resident too.</summary>
        public static IReadOnlyList<Residency> StreamedResidencies { get; } = [new Residency(0, 0), new Residency(1, 1)];

        /// <summary>
        /// Device memory a generation takes (free memory after the engine is built, less free memory after the prefill step)
        /// against the buffers the plan lists for it (<see cref="DeviceBufferList"/>, outer weights excluded: the engine's):
        /// within 2 % plus 64 MiB for cuBLAS's workspace and the allocator's granularity; a second generation on the same
        /// engine reuses the first one's memory (within 64 MiB).
        /// </summary>
        public SelftestCheck PlannedMemory(string model, int batch, int promptLength, int newTokens, Residency residency) =>
            Guarded($"GPU memory of a generation against its plan, random {model}, batch {batch}, prompt {promptLength}, {newTokens} tokens, " +
                $"KV of {residency.KvResidentLayers} and weights of {residency.WeightResidentLayers} layers resident", () =>
            {
                var spec = ModelCatalog.Get(model);
                var workload = new DecodeWorkload { Batch = batch, PromptLength = promptLength, MaxNewTokens = newTokens };
                long planned = DeviceBufferList.Bytes(DeviceBufferList.For(spec, DeviceBufferShape.For(workload), residency)
                    .Where(b => b.Role != DeviceBufferRole.OuterWeights));
                using var probe = CudaDevice.Open(_deviceIndex);
                using var engine = new Engine(RandomWeights.Create(spec, seed: 3, RealisticMatrixDeviation),
                    new EngineOptions { Device = ComputeDevice.Cuda, DeviceIndex = _deviceIndex, Split = SplitPolicy.Fraction(0.5), Residency = residency });
                long built = probe.MemoryInfo().FreeBytes;
                var prompts = Enumerable.Range(0, batch).Select(s => Enumerable.Range(0, promptLength).Select(t => (s * 31 + t * 7) % spec.Vocab).ToArray()).ToArray();
                // Free memory once the first step has run, in this generation and in a second one on the same engine,
                // which reuses the first one's blocks rather than allocating more.
                long FreeDuringGeneration()
                {
                    long during = 0;
                    engine.Generate(prompts, new GenerationOptions { MaxNewTokens = newTokens, StopOnEos = false }, default,
                        new SynchronousProgress(_ => during = during == 0 ? probe.MemoryInfo().FreeBytes : during));
                    return during;
                }
                long first = FreeDuringGeneration(), second = FreeDuringGeneration();
                long used = built - first, slack = planned / 50 + (64L << 20);
                bool passed = Math.Abs(used - planned) <= slack && Math.Abs(second - first) <= (64L << 20);
                return (passed, Invariant($"generation took {used / 1e9:F3} GB of device memory, its plan lists {planned / 1e9:F3} GB ({(used - planned) / 1e6:+0;-0} MB, {100.0 * (used - planned) / planned:+0.00;-0.00}%); a second generation on the engine {(first - second) / 1e6:+0;-0} MB more"));
            });

        /// <summary>A seeded random model of <paramref name="model"/>'s dimensions decoded a few steps on the GPU and on the CPU backend.</summary>
        public SelftestCheck AgainstCpu(string model, int batch = 2, int promptLength = 16, int newTokens = 4) =>
            Guarded($"GPU against CPU backend, random {model}, batch {batch}, prompt {promptLength}, {newTokens} tokens, half recomputed", () =>
            {
                var spec = ModelCatalog.Get(model);
                var weights = RandomWeights.Create(spec, seed: 11, RealisticMatrixDeviation);
                var random = new Random(5);
                var prompts = Enumerable.Range(0, batch).Select(_ => Enumerable.Range(0, promptLength).Select(_ => random.Next(spec.Vocab)).ToArray()).ToArray();
                var generation = new GenerationOptions { MaxNewTokens = newTokens, StopOnEos = false, CaptureLogits = true };
                var options = new EngineOptions { Split = SplitPolicy.Fraction(0.5) };
                var (gpu, gpuSeconds) = Generate(weights, options with { Device = ComputeDevice.Cuda, DeviceIndex = _deviceIndex }, prompts, generation);
                var (cpu, cpuSeconds) = Generate(weights, options, prompts, generation);
                var comparison = Compare(gpu, cpu.Tokens, cpu.Logits!, CpuTokenMargin);
                bool passed = comparison.WorstRelative <= CpuRelativeTolerance && comparison.ClearMismatches == 0;
                return (passed, Invariant($"worst relative logit error {comparison.WorstRelative:E2} (limit {CpuRelativeTolerance:E0}), worst |Δ| {comparison.WorstAbsolute:E2} over {comparison.Rows} rows; {comparison.MatchingTokens}/{comparison.Tokens} tokens identical; engine build + generate {gpuSeconds:F1} s on the GPU, {cpuSeconds:F1} s on the CPU"));
            });

        /// <summary>
        /// A random <see cref="ModelCatalog.TinyName"/> whose final norm weight holds a NaN, so every logit is NaN: greedy
        /// decoding (the argmax kernel reports the row as -1) and sampling (the logits read to the host) must both fail
        /// with <see cref="InvalidLogitsException"/> naming the prefill and the first sequence.
        /// </summary>
        public SelftestCheck NonFiniteLogits() => Guarded("NaN weights: greedy on the GPU and sampling both name the step and sequence", () =>
        {
            var spec = ModelCatalog.Get(ModelCatalog.TinyName);
            var random = RandomWeights.Create(spec, seed: 4);
            var tensors = WeightMap.For(spec).Entries.Where(e => e.TiedTo is null).ToDictionary(e => e.Name, e =>
                e.Role == WeightMapRole.FinalNormWeight ? new PoisonedTensor(random.Get(e.Role, e.Layer), 3) : random.Get(e.Role, e.Layer));
            using var engine = new Engine(ModelWeights.Create(spec, tensors), new EngineOptions { Device = ComputeDevice.Cuda, DeviceIndex = _deviceIndex, Split = SplitPolicy.Fraction(0.5) });
            var prompts = new[] { new[] { 1, 2, 3 }, new[] { 4, 5, 6 } };
            var messages = new[] { 0.0, 1.0 }.Select(temperature =>
            {
                try
                {
                    engine.Generate(prompts, new GenerationOptions { MaxNewTokens = 2, Sampling = new Sampling.SamplingOptions { Temperature = temperature } });
                    return "no error";
                }
                catch (InvalidLogitsException e)
                {
                    return e.Step == 0 && e.Sequence == 0 && e.Message.Contains("logit 0 is NaN.", StringComparison.Ordinal) ? "" : e.Message;
                }
            }).ToArray();
            bool passed = messages.All(m => m.Length == 0);
            return (passed, passed ? "greedy and sampled: InvalidLogitsException at the prefill, sequence 0, logit 0 is NaN" : $"greedy: {messages[0]}; sampled: {messages[1]}");
        });

        /// <summary>A tensor with a NaN written over one element, for <see cref="NonFiniteLogits"/>.</summary>
        private sealed class PoisonedTensor(IWeightTensor inner, int index) : IWeightTensor
        {
            public string Name => inner.Name;

            public IReadOnlyList<long> Shape => inner.Shape;

            public void CopyToSingle(Span<float> destination)
            {
                inner.CopyToSingle(destination);
                destination[index] = float.NaN;
            }
        }

        /// <summary>
        /// Informational: a random <paramref name="model"/> decoded on the GPU with every layer's KV offloaded and half of
        /// it recomputed; engine build time, step times and bytes moved, as a smoke test at full size.
        /// </summary>
        public SelftestCheck Timing(string model, int batch, int promptLength, int newTokens)
        {
            string name = $"GPU decode, random {model}, batch {batch}, prompt {promptLength}, {newTokens} tokens, all KV offloaded, half recomputed";
            var check = Guarded(name, () =>
            {
                var spec = ModelCatalog.Get(model);
                var watch = Stopwatch.StartNew();
                using var engine = new Engine(RandomWeights.Create(spec, seed: 3, RealisticMatrixDeviation), new EngineOptions { Device = ComputeDevice.Cuda, DeviceIndex = _deviceIndex, Split = SplitPolicy.Fraction(0.5) });
                double build = watch.Elapsed.TotalSeconds;
                var random = new Random(9);
                var prompts = Enumerable.Range(0, batch).Select(_ => Enumerable.Range(0, promptLength).Select(_ => random.Next(spec.Vocab)).ToArray()).ToArray();
                var steps = engine.Generate(prompts, new GenerationOptions { MaxNewTokens = newTokens, StopOnEos = false }).Steps;
                var decode = steps.Skip(1).ToArray();
                double Milliseconds(StepStatistics s) => s.Times.Total.TotalMilliseconds;
                var sorted = decode.Select(Milliseconds).OrderBy(t => t).ToArray();
                var last = decode[^1];
                return (true, Invariant($"engine built (weights converted and uploaded, kernels loaded) in {build:F1} s; prefill {Milliseconds(steps[0]):F0} ms; decode step median {sorted[sorted.Length / 2]:F1} ms (host wall clock); last step s' {last.Length}, l {last.RecomputeTokens.Max()}, {last.HostToDeviceBytes / 1e6:F0} MB host→device ({last.HostToDeviceBytes / 1e9 / (sorted[sorted.Length / 2] / 1e3):F1} GB/s over the median step), {last.DeviceToHostBytes / 1e6:F1} MB device→host"));
            });
            return check.Passed ? SelftestCheck.Info(check.Name, check.Detail) : check;
        }

        private EngineOptions FixtureOptions(ScheduleKind schedule, int microBatches) =>
            new() { Device = ComputeDevice.Cuda, DeviceIndex = _deviceIndex, Schedule = schedule, MicroBatches = microBatches, ActivationChunks = 2 };

        private (bool, string) CheckFixture(string folder, EngineOptions options)
        {
            var reference = ReferenceOutputs.Read(folder);
            var spec = HuggingFaceConfig.Read(Path.Combine(folder, HuggingFaceConfig.FileName));
            using var checkpoint = Checkpoint.Open(folder);
            var generation = new GenerationOptions { MaxNewTokens = reference.NewTokens, StopOnEos = false, CaptureLogits = true };
            var (result, _) = Generate(CheckpointWeights.Load(checkpoint, spec), options, reference.Prompts, generation);
            var expectedLogits = new CapturedLogits(reference.PrefillLogits, reference.StepLogits);
            double tolerance = spec.WeightType == WeightType.BFloat16 ? BFloat16FixtureTolerance : FixtureTolerance;
            var comparison = Compare(result, reference.GeneratedTokens, expectedLogits, tolerance);
            // Without captured logits greedy tokens are picked on the GPU: they must be the host's picks from the same logits.
            var (onDevice, _) = Generate(CheckpointWeights.Load(checkpoint, spec), options, reference.Prompts, generation with { CaptureLogits = false });
            var picks = DevicePicks.Compare(result, onDevice, tolerance);
            bool passed = comparison.WorstAbsolute <= tolerance && comparison.ClearMismatches == 0 && picks.Agree;
            return (passed, Invariant($"worst |Δlogit| {comparison.WorstAbsolute:E2} (limit {tolerance:E0}; {comparison.WorstAt}) over {comparison.Rows} rows; {comparison.MatchingTokens}/{comparison.Tokens} tokens identical; greedy on the GPU {picks}"));
        }

        /// <summary>
        /// An engine created from a compiled blueprint whose kernel source carries a marker comment: it must report
        /// the marked source's hash (so it compiled the blueprint's kernels, not ones emitted again), run the
        /// blueprint's graph, and still match Hugging Face.
        /// </summary>
        private (bool, string) CheckBlueprint(string folder)
        {
            var reference = ReferenceOutputs.Read(folder);
            var spec = HuggingFaceConfig.Read(Path.Combine(folder, HuggingFaceConfig.FileName));
            var workload = new DecodeWorkload { Batch = reference.Prompts.Length, PromptLength = reference.Prompts[0].Length, MaxNewTokens = reference.NewTokens };
            var compiled = EngineBlueprint.Compile(spec, HardwareProfiles.Default, workload);
            var kernels = compiled.Kernels;
            var blueprint = compiled with { Kernels = new Kernels.KernelSet(kernels.ModelName, kernels.Source + "// marked by the blueprint selftest\n", kernels.Kernels) };
            using var checkpoint = Checkpoint.Open(folder);
            using var engine = blueprint.CreateEngine(CheckpointWeights.Load(checkpoint, spec), blueprint.PlannedOptions() with { Device = ComputeDevice.Cuda, DeviceIndex = _deviceIndex });
            var result = engine.Generate(reference.Prompts, new GenerationOptions { MaxNewTokens = reference.NewTokens, StopOnEos = false, CaptureLogits = true, RecordTimeline = true });
            double tolerance = spec.WeightType == WeightType.BFloat16 ? BFloat16FixtureTolerance : FixtureTolerance;
            var comparison = Compare(result, reference.GeneratedTokens, new CapturedLogits(reference.PrefillLogits, reference.StepLogits), tolerance);
            bool sameHash = engine.KernelSourceHash == blueprint.Kernels.ContentHash && blueprint.Kernels.ContentHash != kernels.ContentHash;
            bool sameGraph = result.Steps.All(step => ReferenceEquals(step.Timeline?.Graph, blueprint.RowByRowGraph));
            bool passed = sameHash && sameGraph && comparison.WorstAbsolute <= tolerance && comparison.ClearMismatches == 0;
            return (passed, Invariant($"launched source sha256 {engine.KernelSourceHash?[..12]} (marked blueprint {blueprint.Kernels.ContentHash[..12]}, as emitted {kernels.ContentHash[..12]}); every step ran the blueprint's row-by-row graph: {sameGraph}; worst |Δlogit| {comparison.WorstAbsolute:E2} (limit {tolerance:E0}); {comparison.MatchingTokens}/{comparison.Tokens} tokens identical"));
        }

        private static (GenerationResult Result, double Seconds) Generate(ModelWeights weights, EngineOptions options, int[][] prompts, GenerationOptions generation)
        {
            var watch = Stopwatch.StartNew();
            using var engine = new Engine(weights, options);
            var result = engine.Generate(prompts, generation);
            return (result, watch.Elapsed.TotalSeconds);
        }

        private static LogitComparison Compare(GenerationResult actual, IReadOnlyList<int[]> expectedTokens, CapturedLogits expected, double margin)
        {
            var comparison = new LogitComparison(margin);
            for (int s = 0; s < expectedTokens.Count; s++)
            {
                comparison.AddLogits(s, actual.Logits!.Prefill[s], expected.Prefill[s]);
                comparison.AddGenerated(s, actual.Tokens[s], actual.Logits.Generated[s], expectedTokens[s], expected.Generated[s]);
            }
            return comparison;
        }

        private static string Describe(ScheduleKind schedule) => schedule == ScheduleKind.RowByRow ? "row-by-row" : "column-by-column (2 micro-batches, 2 activation chunks)";

        /// <summary>Runs one check; any exception is that check's failure, with its type and message, not the end of the report.</summary>
        internal static SelftestCheck Guarded(string name, Func<(bool Passed, string Detail)> check)
        {
            try
            {
                var (passed, detail) = check();
                return new SelftestCheck(name, passed, detail);
            }
            catch (Exception e)
            {
                return new SelftestCheck(name, false, $"{e.GetType().Name}: {e.Message}");
            }
        }

        internal static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

        /// <summary>Reports on the generating thread (System.Progress posts to the thread pool), so a step's memory is read while it is held.</summary>
        private sealed class SynchronousProgress(Action<StepStatistics> report) : IProgress<StepStatistics>
        {
            public void Report(StepStatistics value) => report(value);
        }
    }
}
