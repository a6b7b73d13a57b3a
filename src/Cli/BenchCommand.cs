using System;
using System.Collections.Generic;
using System.CommandLine;
using System.IO;
using System.Linq;
using Kvpr.Cli.Bench;
using Kvpr.Graphs;
using Kvpr.Planning;
// Hardware profiles (--profile) are read by the compiler's reader, as the generator reads them; every other JSON input by Kvpr.Runtime.Json.
using JsonFormatException = Kvpr.Json.JsonFormatException;

namespace Kvpr.Cli
{
    /// <summary>
    /// <c>kvpr bench</c>: decodes workloads in modes (a) KV on the GPU, (b) offloaded with l = 0, (c) offloaded
    /// with the planner's split and (e) offloaded with the planner's three-way split (CPU attention), times the decode steps, and prints a table next to the planner's predictions and
    /// floors (and, given its results, the Hugging Face baseline (d)); writes JSON results, predicted Chrome traces
    /// and SVG timelines on request.
    /// </summary>
    internal static class BenchCommand
    {
        public static Command Create()
        {
            var model = new Option<string?>("--model") { Description = $"A built-in model ({string.Join(", ", ModelCatalog.Names)}); without one, the issue's suite runs (OPT-6.7B at batch 32, 8 with prompt 2048, 64; OPT-13B at batch 32)." };
            var batch = new Option<int>("--batch") { Description = "Sequences decoded together.", DefaultValueFactory = _ => 32 };
            var prompt = new Option<int>("--prompt") { Description = "Prompt length in tokens.", DefaultValueFactory = _ => 1024 };
            var newTokens = new Option<int>("--new-tokens") { Description = "Tokens generated per sequence (the first comes from the prefill).", DefaultValueFactory = _ => 32 };
            var modes = new Option<string>("--modes") { Description = "Modes to run: a (KV on the GPU), b (offloaded, l = 0), c (offloaded, planned split), e (offloaded, planned split with CPU attention; needs a profile that measured the host).", DefaultValueFactory = _ => "a,b,c" };
            var device = new Option<string>("--device") { Description = "Where to decode.", HelpName = "cpu|cuda", DefaultValueFactory = _ => "cuda" };
            var profile = new Option<string>("--profile") { Description = "Hardware profile the plan, predictions and floors come from.", DefaultValueFactory = _ => HardwareProfiles.DefaultName };
            var warmup = new Option<int>("--warmup") { Description = "Decode steps run before the timed ones.", DefaultValueFactory = _ => 2 };
            var seed = new Option<int>("--seed") { Description = "Seeds the weights and the prompts.", DefaultValueFactory = _ => 1 };
            var machine = new Option<string?>("--machine") { Description = "Describes the machine in the results (default: the host name and device)." };
            var gpuMemory = ByteOption.Create("--gpu-memory", "A hard cap on the GPU memory of every mode: plans fit under it (streaming weights where they must) and a mode that cannot is skipped before allocating.");
            var hostMemory = ByteOption.Create("--host-memory", "Host memory every mode's weight copy and host store must fit (default: the profile's); a mode that does not fails the run before allocating, with the numbers.");
            var objective = new Option<string>("--objective")
            {
                Description = "latency: one batch of --batch sequences, row-by-row. throughput: --batch sequences split into the micro-batches the planner predicts fastest over the whole generation (prefill included), column-by-column.",
                DefaultValueFactory = _ => "latency",
            };
            objective.AcceptOnlyFromAmong("latency", "throughput");
            var generations = new Option<int>("--generations")
            {
                Description = "Generations per mode on one engine: each after the first stops after its first token, and its time (prefill, with the host store and device buffers kept from the first) is reported next to the first's and the predicted prefill. With 2 or more, one more such generation follows, recording its prefill's device timeline (events around every node, which cost time): its span and busy times per stream and node kind.",
                DefaultValueFactory = _ => 1,
            };
            var cpuAttention = CpuAttentionOption.Create();
            var dryRun = new Option<bool>("--dry-run") { Description = "Plan and predict only; decode nothing." };
            var hfResults = new Option<FileInfo?>("--hf-results") { Description = "JSON lines printed by bench/hf_offloaded.py: mode (d) in the table and results." };
            var output = new Option<FileInfo?>("--out") { Description = "Write the results as JSON to this file." };
            var traceDir = new Option<DirectoryInfo?>("--trace-dir") { Description = "Write each mode's first recorded step (the last three decode steps record their device timeline), predicted and (unless a dry run) measured, there as Chrome traces and SVG timelines." };

            var command = new Command("bench", "Time decode steps with the KV cache on the GPU, offloaded with l = 0, and offloaded with the planned split.")
            {
                model, batch, prompt, newTokens, modes, device, profile, gpuMemory, hostMemory, objective, cpuAttention, warmup, generations, seed, machine, dryRun, hfResults, output, traceDir,
            };
            command.SetAction(parse =>
            {
                var error = parse.InvocationConfiguration.Error;
                try
                {
                    var settings = new BenchSettings(parse.GetValue(model), parse.GetValue(batch), parse.GetValue(prompt), parse.GetValue(newTokens),
                        parse.GetValue(modes)!, parse.GetValue(device)!, parse.GetValue(profile)!, parse.GetValue(gpuMemory), parse.GetValue(hostMemory), parse.GetValue(objective) == "throughput",
                        parse.GetValue(cpuAttention),
                        parse.GetValue(warmup), parse.GetValue(generations), parse.GetValue(seed),
                        parse.GetValue(machine), parse.GetValue(dryRun), parse.GetValue(hfResults), parse.GetValue(output), parse.GetValue(traceDir));
                    return Run(settings, parse.InvocationConfiguration.Output, error);
                }
                catch (Exception e) when (e is UsageException or JsonFormatException or IOException or UnauthorizedAccessException or InvalidOperationException or Kvpr.Runtime.Cuda.CudaUnavailableException)
                {
                    error.WriteLine(e.Message);
                    return 1;
                }
            });
            return command;
        }

        private sealed record BenchSettings(string? Model, int Batch, int Prompt, int NewTokens, string Modes, string Device, string Profile,
            long? GpuMemory, long? HostMemory, bool Throughput, CpuAttentionMode? CpuAttention, int Warmup, int Generations, int Seed, string? Machine, bool DryRun, FileInfo? HfResults, FileInfo? Output, DirectoryInfo? TraceDir);

        private static int Run(BenchSettings settings, TextWriter output, TextWriter error)
        {
            var device = settings.Device switch
            {
                "cpu" => ComputeDevice.Cpu,
                "cuda" => ComputeDevice.Cuda,
                _ => throw new UsageException($"--device must be cpu or cuda, but is '{settings.Device}'."),
            };
            if (settings.Warmup < 0)
                throw new UsageException($"--warmup must be at least 0, but is {settings.Warmup}.");
            Positive(settings.Generations, "--generations");
            if (settings.HostMemory is <= 0)
                throw new UsageException($"--host-memory must be a positive number of bytes, but is {settings.HostMemory}.");
            var modes = ParseModes(settings.Modes);
            var profile = HardwareProfiles.Resolve(settings.Profile);
            var cases = settings.Model is { } name
                ? new[] { Case(settings, profile, ModelCatalog.TryGet(name, out var spec) ? spec : throw new UsageException($"--model '{name}' is not a built-in model ({string.Join(", ", ModelCatalog.Names)}).")) }
                : BenchCase.IssueSuite();
            var huggingFace = settings.HfResults is { } hf ? HuggingFaceResult.ReadLines(hf.FullName) : Array.Empty<HuggingFaceResult>();

            var rows = new List<BenchRow>();
            foreach (var workload in cases)
            {
                ModelWeights? weights = null;
                foreach (var mode in modes)
                {
                    if (mode == BenchMode.CpuAttention && CpuAttentionMode.Unavailability(workload.Spec, profile) is { } why)
                    {
                        error.WriteLine($"{workload}: mode (e) is skipped: {why}");
                        continue;
                    }
                    // Mode (e) is CPU attention: auto unless --cpu-attention says otherwise; the other modes plan without it.
                    var plan = BenchPlan.Create(workload, mode, profile, settings.CpuAttention is null ? null : CpuAttentionOption.Resolve(settings.CpuAttention, workload.Spec, profile));
                    if (!plan.FitsOnDevice && mode == BenchMode.Resident)
                    {
                        error.WriteLine($"{workload}: mode (a) is skipped, its KV and weights do not fit the {profile.Name} GPU memory.");
                        continue;
                    }
                    if (settings.TraceDir is { } folder)
                        WriteTimeline(folder, plan, plan.Predicted[Math.Clamp(workload.DecodeSteps - BenchMeasurement.RecordedSteps, 0, plan.Predicted.Count - 1)], "predicted");
                    BenchMeasurement? measured = null;
                    if (!settings.DryRun)
                    {
                        weights ??= RandomWeights.Create(workload.Spec, settings.Seed);
                        try
                        {
                            measured = BenchMeasurement.Run(plan, device, weights, settings.Warmup, settings.Seed, settings.Generations);
                        }
                        catch (InsufficientMemoryException e)
                        {
                            // The other modes may still fit: say why this one has no row and go on.
                            error.WriteLine($"{workload}: mode ({mode.Letter()}) is skipped: {e.Message}");
                            continue;
                        }
                    }
                    if (settings.TraceDir is { } measuredFolder && measured is not null)
                        WriteTimeline(measuredFolder, plan, MeasuredStep.ToSimulated(measured.TracedStep, plan.Costs), "measured");
                    rows.Add(new BenchRow(plan, measured));
                    error.WriteLine($"{workload}: ({mode.Letter()}) done.");
                }
            }
            var report = new BenchReport(settings.Machine ?? $"{Environment.MachineName}, {settings.Device}", profile.Name,
                settings.DryRun ? "none (dry run: predictions only)" : settings.Device, settings.Warmup, rows, huggingFace);
            if (settings.Output is { } file)
                File.WriteAllText(file.FullName, report.ToJson());
            output.Write(report.ToTable());
            return 0;
        }

        /// <summary>A step of the mode, as the cost model predicts it or as the device ran it: a Chrome trace and an SVG picture.</summary>
        private static void WriteTimeline(DirectoryInfo folder, BenchPlan plan, SimulatedStep step, string kind)
        {
            folder.Create();
            string name = $"{plan.Case.Spec.Name}-b{plan.Case.Batch}-p{plan.Case.PromptLength}-{plan.Mode.Letter()}.{kind}";
            File.WriteAllText(Path.Combine(folder.FullName, name + ".trace.json"), ChromeTrace.Write(new[] { step }));
            File.WriteAllText(Path.Combine(folder.FullName, name + ".svg"), TimelineSvg.Write(step,
                $"{plan.Case}, ({plan.Mode.Letter()}) {plan.Mode.Describe()}: {kind} step, s' = {step.Shape.Length}, l = {step.Shape.RecomputeTokens}, {step.StepSeconds * 1e3:F1} ms"));
        }

        private static IReadOnlyList<BenchMode> ParseModes(string text)
        {
            var modes = text.Split(',', StringSplitOptions.RemoveEmptyEntries)
                .Select(letter => BenchModes.FromLetter(letter) ?? throw new UsageException($"--modes takes letters a, b, c and e separated by commas; '{letter.Trim()}' is none of them."))
                .Distinct().OrderBy(m => m).ToArray();
            return modes.Length > 0 ? modes : throw new UsageException("--modes needs at least one of a, b, c and e.");
        }

        private static BenchCase Case(BenchSettings settings, HardwareProfile profile, ModelSpec spec)
        {
            int batch = Positive(settings.Batch, "--batch"), prompt = Positive(settings.Prompt, "--prompt");
            return settings.Throughput
                ? BenchCase.ForThroughput(spec, profile, batch, prompt, settings.NewTokens, settings.GpuMemory, settings.HostMemory,
                    PlannerOptions.Default with { CpuAttention = CpuAttentionOption.Resolve(settings.CpuAttention, spec, profile) })
                : BenchCase.Create(spec, batch, prompt, settings.NewTokens, 1, settings.GpuMemory, settings.HostMemory);
        }

        private static int Positive(int value, string option) =>
            value >= 1 ? value : throw new UsageException($"{option} must be at least 1, but is {value}.");
    }
}
