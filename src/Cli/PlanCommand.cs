using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Linq;
using Kvpr.Checkpoints;
using Kvpr.Graphs;
using Kvpr.Json;
using Kvpr.Lp;
using Kvpr.Planning;

namespace Kvpr.Cli
{
    /// <summary>
    /// <c>kvpr plan</c>: solves the decode plan for a model, a hardware profile and a workload, and prints it
    /// per step (stored length, recomputed tokens, residency, predicted step time and the two floors).
    /// </summary>
    internal static class PlanCommand
    {
        public static Command Create()
        {
            var model = new Option<string>("--model")
            {
                Description = $"A built-in model ({string.Join(", ", ModelCatalog.Names)}), a Hugging Face config.json or a checkpoint folder holding one.",
                Required = true,
            };
            var profile = new Option<string>("--profile")
            {
                Description = $"A stored hardware profile ({string.Join(", ", HardwareProfiles.StoredNames)}) or a *.hwprofile.json file.",
                DefaultValueFactory = _ => HardwareProfiles.DefaultName,
            };
            var batch = new Option<int>("--batch") { Description = "Sequences per (micro-)batch.", Required = true };
            var prompt = new Option<int>("--prompt") { Description = "Prompt length in tokens.", Required = true };
            var newTokens = new Option<int>("--new-tokens") { Description = "Tokens to generate per sequence.", Required = true };
            var objective = new Option<string>("--objective") { Description = "What to minimise.", DefaultValueFactory = _ => "latency" };
            objective.AcceptOnlyFromAmong("latency", "throughput");
            var microBatches = new Option<int>("--micro-batches")
            {
                Description = "Micro-batches sharing each layer's weights (throughput). 0 with --objective throughput: the planner splits --batch sequences into the micro-batches that generate fastest, prefill included.",
                DefaultValueFactory = _ => 1,
            };
            var gpuMemory = ByteOption.Create("--gpu-memory", "GPU memory the plan may use (default: the profile's).");
            var hostMemory = ByteOption.Create("--host-memory", "Host memory the weights' host copy and the KV store may use (default: the profile's).");
            var json = new Option<bool>("--json") { Description = "Print the plan as JSON." };
            var lp = new Option<FileInfo?>("--lp") { Description = "Also write the linear program that chose the residency as CPLEX LP text." };
            var cpuAttention = CpuAttentionOption.Create();
            var trace = new Option<FileInfo?>("--trace") { Description = "Also write every decode step's simulated timeline as a Chrome trace (open in ui.perfetto.dev)." };
            var offloadKv = new Option<bool>("--offload-kv")
            {
                Description = "Keep every layer's weights on the GPU and its KV cache in host memory, instead of letting the planner choose what stays (the offloaded benchmarks' setting).",
            };
            var gpus = new Option<string?>("--gpus")
            {
                Description = "GPUs of the profile's host to plan for, or a list (1,2,4,8): one row per count with the best of tensor, data and mixed parallel layouts. --batch then counts the sequences of all GPUs.",
            };

            var command = new Command("plan", "Plan which KV and weights stay on the GPU and how many tokens to recompute at each decode step.")
            {
                model, profile, batch, prompt, newTokens, objective, microBatches, gpuMemory, hostMemory, cpuAttention, json, lp, trace, offloadKv, gpus,
            };
            command.SetAction(parse =>
            {
                var request = new PlanRequest(parse.GetValue(model)!, parse.GetValue(profile)!, new DecodeWorkload
                {
                    Objective = parse.GetValue(objective) == "throughput" ? Objective.Throughput : Objective.Latency,
                    Batch = parse.GetValue(batch),
                    PromptLength = parse.GetValue(prompt),
                    MaxNewTokens = parse.GetValue(newTokens),
                    MicroBatches = Math.Max(1, parse.GetValue(microBatches)),
                    GpuMemoryBytes = parse.GetValue(gpuMemory),
                    HostMemoryBytes = parse.GetValue(hostMemory),
                }, parse.GetValue(microBatches) is 0, parse.GetValue(cpuAttention), parse.GetValue(json), parse.GetValue(lp), parse.GetValue(trace), parse.GetValue(offloadKv), parse.GetValue(gpus));
                return Run(request, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
            });
            return command;
        }

        /// <param name="ChooseMicroBatches">Split the workload's batch into the micro-batches the planner finds fastest.</param>
        /// <param name="CpuAttention">--cpu-attention as given; null when left out.</param>
        /// <param name="OffloadKv">Fix the residency at every layer's weights resident and KV offloaded.</param>
        /// <param name="Gpus">--gpus as given; null for the one-GPU plan.</param>
        private sealed record PlanRequest(string Model, string Profile, DecodeWorkload Workload, bool ChooseMicroBatches, CpuAttentionMode? CpuAttention, bool Json,
            FileInfo? LpFile, FileInfo? TraceFile, bool OffloadKv, string? Gpus);

        private static int Run(PlanRequest request, TextWriter output, TextWriter error)
        {
            var workload = request.Workload;
            if (workload.Objective == Objective.Latency && (workload.MicroBatches > 1 || request.ChooseMicroBatches))
                return Fail(error, $"--micro-batches {(request.ChooseMicroBatches ? 0 : workload.MicroBatches)} needs --objective throughput: a latency plan decodes one batch.");
            ModelSpec spec;
            try
            {
                spec = ResolveModel(request.Model);
            }
            catch (Exception e) when (e is CheckpointException or IOException or UnauthorizedAccessException)
            {
                return Fail(error, e.Message);
            }
            HardwareProfile profile;
            try
            {
                profile = HardwareProfiles.Resolve(request.Profile);
            }
            catch (Exception e) when (e is JsonFormatException or IOException or UnauthorizedAccessException)
            {
                return Fail(error, e.Message);
            }

            PlannerOptions options;
            try
            {
                options = PlannerOptions.Default with
                {
                    CpuAttention = CpuAttentionOption.Resolve(request.CpuAttention, spec, profile),
                    FixedResidency = request.OffloadKv ? Residency.WeightsOnly(spec) : null,
                };
            }
            catch (UsageException e)
            {
                return Fail(error, e.Message);
            }

            if (request.Gpus is not null)
                return RunParallel(request, spec, profile, options, output, error);

            var result = request.ChooseMicroBatches
                ? DecodePlanner.PlanThroughput(spec, profile, workload, workload.Batch, options)
                : DecodePlanner.Plan(spec, profile, workload, options);
            if (result.Plan is not { } plan)
                return Fail(error, string.Join(Environment.NewLine, result.Errors.Select(e => e.ToString())));

            if (request.LpFile is { } lpFile &&
                !TryWrite(lpFile, () => CplexLpWriter.Write(DecodePlanner.ResidencyProgram(spec, profile, plan, options).Program), "the linear program", error))
                return 1;
            if (request.TraceFile is { } traceFile && !TryWrite(traceFile, () => ChromeTrace.Write(Simulate(spec, profile, plan)), "the trace", error))
                return 1;

            output.Write(request.Json ? PlanJson.Write(plan, spec) : PlanReport.FormatSummary(plan, spec) + Environment.NewLine + PlanReport.FormatSteps(plan));
            return 0;
        }

        /// <summary>--gpus: the best layout per GPU count, every layout weighed, as text or JSON.</summary>
        private static int RunParallel(PlanRequest request, ModelSpec spec, HardwareProfile profile, PlannerOptions options, TextWriter output, TextWriter error)
        {
            if (request.LpFile is not null || request.TraceFile is not null || request.Workload.MicroBatches > 1 || request.ChooseMicroBatches)
                return Fail(error, "--gpus plans every GPU of a layout itself: --lp, --trace and --micro-batches are for the one-GPU plan without it.");
            IReadOnlyList<int> counts;
            try
            {
                counts = GpuCounts(request.Gpus!);
            }
            catch (UsageException e)
            {
                return Fail(error, e.Message);
            }
            ParallelPlan[] plans;
            try
            {
                plans = counts.Select(n => ParallelPlanner.Plan(spec, profile, request.Workload, n, options)).ToArray();
            }
            catch (ArgumentOutOfRangeException e) when (e.ParamName == "gpus")
            {
                return Fail(error, $"--gpus {e.ActualValue}: {ParallelPlanner.GpuLimit(profile)}");
            }
            output.Write(request.Json ? ParallelPlanJson.Write(plans) : ParallelPlanReport.Format(plans));
            var unplanned = plans.Where(p => p.Best is null).Select(p => p.Gpus).ToArray();
            return unplanned.Length == 0 ? 0 : Fail(error, $"No layout of {string.Join(", ", unplanned)} GPUs can run the workload; each layout's reason is printed with it.");
        }

        /// <summary>"8" or "1,2,4,8": counts of at least 1, each once (the planner checks them against the profile).</summary>
        /// <exception cref="UsageException">The list is malformed.</exception>
        private static IReadOnlyList<int> GpuCounts(string text)
        {
            var counts = new List<int>();
            foreach (string item in text.Split(','))
            {
                if (!int.TryParse(item.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n < 1)
                    throw new UsageException($"--gpus '{text}': '{item.Trim()}' is not a GPU count (a whole number of at least 1; a list is written 1,2,4,8).");
                if (counts.Contains(n))
                    throw new UsageException($"--gpus '{text}' lists {n} twice.");
                counts.Add(n);
            }
            return counts;
        }

        /// <summary>Every decode step of the plan played on the schedule its objective runs (row-by-row or column-by-column).</summary>
        private static IReadOnlyList<SimulatedStep> Simulate(ModelSpec spec, HardwareProfile profile, DecodePlan plan)
        {
            var costs = new CostModel(spec, profile, PlannerOptions.Default.Cost);
            var graph = ExecutionGraphBuilder.Build(MicroBatching.ScheduleFor(plan.Workload.Objective), spec, plan.Residency, plan.Workload.MicroBatches, costs.Settings.ActivationChunks, plan.Table.UsesHostAttention);
            return plan.Steps.Select(step => GraphSimulator.Run(graph, step.Shape, costs)).ToArray();
        }

        private static bool TryWrite(FileInfo file, Func<string> text, string what, TextWriter error)
        {
            try
            {
                File.WriteAllText(file.FullName, text());
                return true;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                error.WriteLine($"Could not write {what} to '{file.FullName}': {e.Message}");
                return false;
            }
        }

        /// <summary>A built-in name, a config.json, or a folder holding one.</summary>
        /// <exception cref="CheckpointException">The config cannot be read as a supported model.</exception>
        /// <exception cref="FileNotFoundException">Neither a built-in name nor an existing file or folder.</exception>
        private static ModelSpec ResolveModel(string model)
        {
            if (ModelCatalog.TryGet(model, out var spec))
                return spec;
            if (Directory.Exists(model))
                return HuggingFaceConfig.Read(Path.Combine(model, HuggingFaceConfig.FileName));
            if (File.Exists(model))
                return HuggingFaceConfig.Read(model);
            throw new FileNotFoundException(
                $"Unknown model '{model}': it is neither a built-in model ({string.Join(", ", ModelCatalog.Names)}) nor an existing config.json or checkpoint folder.", model);
        }

        private static int Fail(TextWriter error, string message)
        {
            error.WriteLine(message);
            return 1;
        }
    }
}
