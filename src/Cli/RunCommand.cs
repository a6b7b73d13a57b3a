using System;
using System.CommandLine;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using Kvpr.Checkpoints;
using Kvpr.Graphs;
using JsonFormatException = Kvpr.Json.JsonFormatException;
using Kvpr.Planning;
using Kvpr.Runtime.Cuda;

namespace Kvpr.Cli
{
    /// <summary>
    /// <c>kvpr run [checkpoint]</c>: generates tokens with the KV cache in host memory, partly recomputed, and
    /// prints the plan, the generated ids and the statistics (or all of it as JSON with --json). Without a
    /// checkpoint it runs the built-in <see cref="ModelCatalog.TinyName"/> with seeded random weights.
    /// </summary>
    internal static class RunCommand
    {
        private const int DefaultSequences = 4;
        private const int DefaultPromptLength = 16;

        public static Command Create()
        {
            var defaults = new RunSettings();
            var folder = new Argument<string?>("checkpoint")
            {
                Description = $"A Hugging Face checkpoint folder (config.json and safetensors); without one, {ModelCatalog.TinyName} runs with seeded random weights.",
                Arity = ArgumentArity.ZeroOrOne,
            };
            var device = new Option<string>("--device") { Description = "Where to compute.", HelpName = "cpu|cuda", DefaultValueFactory = _ => defaults.Device };
            var promptIds = new Option<string?>("--prompt-ids")
            {
                Description = $"Prompt token ids: inline as 1,2,3;4,5,6 (';' between sequences) or a JSON file of id arrays, one per sequence. Default: {DefaultSequences} seeded random prompts of {DefaultPromptLength} tokens.",
                HelpName = "ids|file.json",
            };
            var maxNewTokens = new Option<int>("--max-new-tokens") { Description = "Tokens to generate per sequence at most.", DefaultValueFactory = _ => defaults.MaxNewTokens };
            var temperature = new Option<double>("--temperature") { Description = "0 for greedy decoding, otherwise the sampling temperature.", DefaultValueFactory = _ => defaults.Temperature };
            var topK = new Option<int>("--top-k") { Description = "Sample from the k most likely tokens only (0: all).", DefaultValueFactory = _ => defaults.TopK };
            var topP = new Option<double>("--top-p") { Description = "Sample from the smallest set of most likely tokens whose probability reaches p.", DefaultValueFactory = _ => defaults.TopP };
            var seed = new Option<int>("--seed") { Description = "Seeds sampling, the random prompts and the built-in model's random weights.", DefaultValueFactory = _ => defaults.Seed };
            var split = new Option<string>("--split")
            {
                Description = "Recomputed share of the stored tokens: auto (planned for the hardware profile), none, all, or a fraction in [0, 1].",
                HelpName = "auto|none|all|fraction",
                DefaultValueFactory = _ => defaults.Split,
            };
            var schedule = new Option<string>("--schedule")
            {
                Description = "row: one batch through all layers (latency); column: each layer over every micro-batch (throughput).",
                HelpName = "row|column",
                DefaultValueFactory = _ => defaults.Schedule,
            };
            var microBatches = new Option<int>("--micro-batches") { Description = "Micro-batches of the column schedule.", DefaultValueFactory = _ => defaults.MicroBatches };
            var profile = new Option<string?>("--profile")
            {
                Description = $"Hardware profile the auto split is planned for: a stored one ({string.Join(", ", HardwareProfiles.StoredNames)}) or a *.hwprofile.json file. Default: {HardwareProfiles.DefaultName}.",
            };
            var gpuMemory = ByteOption.Create("--gpu-memory",
                "GPU memory the auto split is planned for and the generation may use at most (it fails before allocating beyond it). Default: the profile's; the built-in model then keeps its weights on the GPU and offloads its KV cache.");
            var json = new Option<bool>("--json") { Description = "Print the tokens, statistics and plan as JSON." };
            var checkWeights = new Option<bool>("--check-weights") { Description = "Scan the checkpoint's weights for NaN and infinity before loading them; names each tensor holding one." };

            var command = new Command("run", "Generate tokens with the KV cache in host memory, partly recomputed; print the plan, the tokens and the statistics.")
            {
                folder, device, promptIds, maxNewTokens, temperature, topK, topP, seed, split, schedule, microBatches, profile, gpuMemory, json, checkWeights,
            };
            command.SetAction(parse =>
            {
                var settings = new RunSettings
                {
                    Folder = parse.GetValue(folder),
                    Device = parse.GetValue(device)!,
                    PromptIds = parse.GetValue(promptIds),
                    MaxNewTokens = parse.GetValue(maxNewTokens),
                    Temperature = parse.GetValue(temperature),
                    TopK = parse.GetValue(topK),
                    TopP = parse.GetValue(topP),
                    Seed = parse.GetValue(seed),
                    Split = parse.GetValue(split)!,
                    Schedule = parse.GetValue(schedule)!,
                    MicroBatches = parse.GetValue(microBatches),
                    Profile = parse.GetValue(profile),
                    GpuMemory = parse.GetValue(gpuMemory),
                    Json = parse.GetValue(json),
                    CheckWeights = parse.GetValue(checkWeights),
                };
                var output = parse.InvocationConfiguration.Output;
                bool interactive = output == Console.Out && !Console.IsOutputRedirected;
                return Run(settings, output, parse.InvocationConfiguration.Error, interactive);
            });
            return command;
        }

        internal static int Run(RunSettings settings, TextWriter output, TextWriter error, bool interactive)
        {
            try
            {
                settings.Check();
                var (spec, eos, source) = ReadModel(settings);
                var prompts = settings.PromptIds is null ? RandomPrompts(spec, settings.Seed) : PromptIds.Parse(settings.PromptIds);
                // Checked here as well as by the engine so the message names the option rather than the planner's field.
                int longestPrompt = prompts.Max(p => p.Length);
                if (longestPrompt + settings.MaxNewTokens > spec.MaxPositions)
                    throw new UsageException($"A prompt of {longestPrompt} tokens plus --max-new-tokens {settings.MaxNewTokens} exceeds the {spec.MaxPositions} positions of {spec.Name}.");
                var plan = settings.PlansSplit ? Plan(settings, spec, prompts) : null;
                var engineOptions = new EngineOptions
                {
                    Device = settings.ComputeDevice,
                    Schedule = settings.ScheduleKind,
                    MicroBatches = settings.MicroBatches,
                    Split = plan is null ? settings.FixedSplit! : SplitPolicy.FromPlan(plan),
                    GpuMemoryBytes = settings.GpuMemory,
                };
                var generation = new GenerationOptions { MaxNewTokens = settings.MaxNewTokens, Sampling = settings.Sampling, EosTokenIds = eos };

                var (result, prefill, total) = RunProgress.Show(interactive, progress =>
                {
                    using var engine = progress.Load($"Loading {spec.Name}", () => BuildEngine(settings, spec, engineOptions));
                    return progress.Generate(settings.MaxNewTokens, steps => Generate(engine, prompts, generation, steps));
                });
                var statistics = RunStatistics.From(result, prompts.Sum(p => p.Length), prefill, total);

                if (settings.Json)
                    WriteJson(output, spec, settings, plan, prompts, result, statistics);
                else
                    WriteText(output, spec, source, settings, plan, result, statistics);
                return 0;
            }
            catch (Exception e) when (e is UsageException or CheckpointException or JsonFormatException or InvalidLogitsException or IOException or UnauthorizedAccessException or InsufficientMemoryException)
            {
                error.WriteLine(e.Message);
                return 1;
            }
        }

        /// <summary>The spec, end-of-sequence ids and a description of where the weights come from.</summary>
        private static (ModelSpec Spec, int[] Eos, string Source) ReadModel(RunSettings settings)
        {
            if (settings.Folder is not { } folder)
                return (ModelCatalog.Get(ModelCatalog.TinyName), Array.Empty<int>(), $"seeded random weights (seed {settings.Seed})");
            if (!Directory.Exists(folder))
                throw new UsageException($"The checkpoint folder {folder} does not exist.");
            var spec = HuggingFaceConfig.Read(Path.Combine(folder, HuggingFaceConfig.FileName));
            return (spec, GenerationConfig.ReadEosTokenIds(folder), $"checkpoint {Path.GetFullPath(folder)}");
        }

        /// <summary>Uploads the weights; the checkpoint's mapping is released once the engine holds its own copy.</summary>
        private static Engine BuildEngine(RunSettings settings, ModelSpec spec, EngineOptions options)
        {
            try
            {
                if (settings.Folder is null)
                    return new Engine(RandomWeights.Create(spec, settings.Seed), options);
                using var checkpoint = Checkpoint.Open(settings.Folder);
                if (settings.CheckWeights)
                    CheckpointWeights.CheckFinite(checkpoint, spec);
                return new Engine(CheckpointWeights.Load(checkpoint, spec), options);
            }
            catch (Exception e) when (e is NotSupportedException or CudaUnavailableException or InsufficientMemoryException)
            {
                throw new UsageException($"--device {settings.Device} cannot be used: {e.Message}");
            }
        }

        private static GenerationResult Generate(Engine engine, int[][] prompts, GenerationOptions options, IProgress<StepStatistics> progress)
        {
            try
            {
                return engine.Generate(prompts, options, progress: progress);
            }
            catch (ArgumentException e)
            {
                // The engine checks the prompts against the model before the first step.
                throw UsageException.From(e);
            }
        }

        private static int[][] RandomPrompts(ModelSpec spec, int seed)
        {
            var random = new Random(seed);
            return Enumerable.Range(0, DefaultSequences)
                .Select(_ => Enumerable.Range(0, DefaultPromptLength).Select(_ => random.Next(spec.Vocab)).ToArray())
                .ToArray();
        }

        /// <summary>The plan of the auto split, for the workload the engine will run: its micro-batches as the schedule groups the prompts.</summary>
        private static DecodePlan Plan(RunSettings settings, ModelSpec spec, int[][] prompts)
        {
            HardwareProfile profile;
            try
            {
                profile = settings.Profile is null ? HardwareProfiles.Default : HardwareProfiles.Resolve(settings.Profile);
            }
            catch (FileNotFoundException e)
            {
                throw new UsageException(e.Message);
            }
            int groups = settings.ScheduleKind == ScheduleKind.RowByRow ? 1 : Math.Min(settings.MicroBatches, prompts.Length);
            var workload = new DecodeWorkload
            {
                Objective = groups > 1 ? Objective.Throughput : Objective.Latency,
                Batch = (prompts.Length + groups - 1) / groups,
                // Prompts may differ in length: the table spans the shortest prompt to the longest sequence.
                PromptLength = prompts.Min(p => p.Length),
                MaxNewTokens = settings.MaxNewTokens + prompts.Max(p => p.Length) - prompts.Min(p => p.Length),
                MicroBatches = groups,
            };
            workload = workload with { GpuMemoryBytes = settings.GpuMemory };
            var result = DecodePlanner.Plan(spec, profile, workload, DemoOptions(settings, spec));
            return result.Plan ?? throw new UsageException(string.Join(" ", result.Errors.Select(e => e.Message)));
        }

        /// <summary>
        /// The built-in model fits any GPU whole, which would show nothing of offloading: unless told how much memory
        /// there is, its plan keeps the weights resident and sends the KV cache to the host.
        /// </summary>
        private static PlannerOptions DemoOptions(RunSettings settings, ModelSpec spec) =>
            settings.Folder is null && settings.GpuMemory is null ? PlannerOptions.Default with { FixedResidency = Residency.WeightsOnly(spec) } : PlannerOptions.Default;

        private static void WriteText(TextWriter output, ModelSpec spec, string source, RunSettings settings, DecodePlan? plan,
            GenerationResult result, RunStatistics statistics)
        {
            output.WriteLine($"Model {spec.Name} ({spec.Architecture}, {spec.Layers} layers, hidden {spec.Hidden}, vocabulary {spec.Vocab}) from {source}.");
            output.WriteLine($"Device {settings.Device}, {(settings.ScheduleKind == ScheduleKind.RowByRow ? "row-by-row" : $"column-by-column over {settings.MicroBatches} micro-batches")} schedule, " +
                $"{(settings.Sampling.IsGreedy ? "greedy decoding" : $"sampling at temperature {settings.Temperature} (top-k {settings.TopK}, top-p {settings.TopP}, seed {settings.Seed})")}.");
            output.Write(plan is null
                ? $"Split {settings.Split}, fixed rather than planned: every layer's KV cache stays in host memory.{Environment.NewLine}"
                : PlanReport.FormatSummary(plan, spec));
            output.WriteLine("Generated tokens:");
            for (int sequence = 0; sequence < result.Tokens.Length; sequence++)
                output.WriteLine($"  {sequence}: {string.Join(" ", result.Tokens[sequence])}");
            output.WriteLine("Statistics:");
            foreach (string line in statistics.Lines())
                output.WriteLine("  " + line);
        }

        private static void WriteJson(TextWriter output, ModelSpec spec, RunSettings settings, DecodePlan? plan, int[][] prompts,
            GenerationResult result, RunStatistics statistics)
        {
            var document = new JsonObject
            {
                ["model"] = spec.Name,
                ["split"] = settings.Split,
                ["plan"] = plan is null ? null : JsonNode.Parse(PlanJson.Write(plan, spec)),
                ["prompts"] = IdArrays(prompts),
                ["tokens"] = IdArrays(result.Tokens),
                ["stats"] = statistics.ToJson(),
            };
            output.WriteLine(document.ToJsonString());
        }

        private static JsonArray IdArrays(int[][] ids) => new(ids.Select(sequence => (JsonNode)new JsonArray(sequence.Select(id => (JsonNode)id).ToArray())).ToArray());
    }
}
