using System;
using System.Collections.Generic;
using System.CommandLine;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using Kvpr.Checkpoints;
using Kvpr.Graphs;
// Hardware profiles (--profile) are read by the compiler's reader, as the generator reads them; every other JSON input by Kvpr.Runtime.Json.
using JsonFormatException = Kvpr.Json.JsonFormatException;
using Kvpr.Planning;
using Kvpr.Runtime.Cuda;
using Kvpr.Text;

namespace Kvpr.Cli
{
    /// <summary>
    /// <c>kvpr run [checkpoint]</c>: generates with the KV cache in host memory, partly recomputed, and prints the
    /// plan, the generated text (ids where the checkpoint has no tokenizer) and the statistics, or all of it as JSON
    /// with --json. Without a checkpoint it runs the built-in <see cref="ModelCatalog.TinyName"/> with seeded random
    /// weights and the built-in tokenizer on <see cref="DemoPrompts"/>.
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
                Description = $"Prompt token ids: inline as 1,2,3;4,5,6 (';' between sequences) or a JSON file of id arrays, one per sequence. Without any prompt: {DefaultSequences} seeded random prompts of {DefaultPromptLength} tokens (the built-in model: its demo texts).",
                HelpName = "ids|file.json",
            };
            var prompt = new Option<string[]>("--prompt")
            {
                Description = "A text prompt, encoded with the checkpoint's tokenizer; repeat for more sequences. One sequence is streamed as it is decoded.",
                HelpName = "text",
            };
            var promptsFile = new Option<string?>("--prompts") { Description = "A text file of prompts, one sequence a non-empty line.", HelpName = "file.txt" };
            var stop = new Option<string[]>("--stop") { Description = "A text that ends a sequence where it appears (repeatable); generation_config.json's stop_strings count too.", HelpName = "text" };
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
            var schedule = new Option<string?>("--schedule")
            {
                Description = "row: one batch through all layers (latency); column: each layer over every micro-batch (throughput). Default: column for the built-in model, row for a checkpoint.",
                HelpName = "row|column",
            };
            var microBatches = new Option<int>("--micro-batches") { Description = "Micro-batches of the column schedule.", DefaultValueFactory = _ => defaults.MicroBatches };
            var tensorParallel = new Option<int>("--tensor-parallel")
            {
                Description = "Split the model's heads and FFN columns over N simulated CPU devices (a thread each), the blocks' outputs summed by an in-process all-reduce. --device cpu only.",
                HelpName = "N",
                DefaultValueFactory = _ => defaults.TensorParallel,
            };
            var profile = new Option<string?>("--profile")
            {
                Description = $"Hardware profile the auto split is planned for: a stored one ({string.Join(", ", HardwareProfiles.StoredNames)}) or a *.hwprofile.json file. Default: {HardwareProfiles.DefaultName}.",
            };
            var gpuMemory = ByteOption.Create("--gpu-memory",
                "GPU memory the auto split is planned for and the generation may use at most (it fails before allocating beyond it). Default: the profile's; the built-in model then keeps its weights on the GPU and offloads its KV cache.");
            var hostMemory = ByteOption.Create("--host-memory",
                "Host memory the auto split is planned for: the weights' host copy and the host store must fit it, or the run fails before allocating. Default: the profile's.");
            var cpuAttention = CpuAttentionOption.Create();
            var json = new Option<bool>("--json") { Description = "Print the prompts and generated ids and texts, the statistics and the plan as JSON." };
            var checkWeights = new Option<bool>("--check-weights") { Description = "Scan the checkpoint's weights for NaN and infinity before loading them; names each tensor holding one." };

            var command = new Command("run", "Generate text with the KV cache in host memory, partly recomputed; print the plan, the text and the statistics.")
            {
                folder, device, prompt, promptsFile, promptIds, stop, maxNewTokens, temperature, topK, topP, seed, split, schedule, microBatches, tensorParallel, profile, gpuMemory, hostMemory, cpuAttention, json, checkWeights,
            };
            command.SetAction(parse =>
            {
                var settings = new RunSettings
                {
                    Folder = parse.GetValue(folder),
                    Device = parse.GetValue(device)!,
                    PromptIds = parse.GetValue(promptIds),
                    Prompts = parse.GetValue(prompt) ?? Array.Empty<string>(),
                    PromptsFile = parse.GetValue(promptsFile),
                    Stop = parse.GetValue(stop) ?? Array.Empty<string>(),
                    MaxNewTokens = parse.GetValue(maxNewTokens),
                    Temperature = parse.GetValue(temperature),
                    TopK = parse.GetValue(topK),
                    TopP = parse.GetValue(topP),
                    Seed = parse.GetValue(seed),
                    Split = parse.GetValue(split)!,
                    Schedule = parse.GetValue(schedule),
                    MicroBatches = parse.GetValue(microBatches),
                    TensorParallel = parse.GetValue(tensorParallel),
                    Profile = parse.GetValue(profile),
                    GpuMemory = parse.GetValue(gpuMemory),
                    HostMemory = parse.GetValue(hostMemory),
                    CpuAttention = parse.GetValue(cpuAttention),
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
                var model = ReadModel(settings);
                var spec = model.Spec;
                settings.CheckTensorParallel(spec);
                var prompts = ReadPrompts(settings, model);
                // Checked here as well as by the engine so the message names the option rather than the planner's field.
                int longestPrompt = prompts.Ids.Max(p => p.Length);
                if (longestPrompt + settings.MaxNewTokens > spec.MaxPositions)
                    throw new UsageException($"A prompt of {longestPrompt} tokens plus --max-new-tokens {settings.MaxNewTokens} exceeds the {spec.MaxPositions} positions of {spec.Name}.");
                // A planned split runs the blueprint compiled here, in memory, as a generated model's runs its own.
                var blueprint = settings.PlansSplit ? Compile(settings, spec, prompts.Ids) : null;
                var plan = blueprint?.Plan;
                var engineOptions = blueprint is null
                    ? new EngineOptions { Schedule = settings.ScheduleKind, MicroBatches = settings.MicroBatches, Split = settings.FixedSplit! }
                    : blueprint.PlannedOptions() with { Schedule = settings.ScheduleKind };
                engineOptions = engineOptions with { Device = settings.ComputeDevice, GpuMemoryBytes = settings.GpuMemory, TensorParallel = settings.TensorParallel };
                var generation = new TextGenerationOptions
                {
                    MaxNewTokens = settings.MaxNewTokens,
                    Sampling = settings.Sampling,
                    StopStrings = model.Tokenizer is null ? settings.Stop.ToArray() : model.StopStrings.Concat(settings.Stop).ToArray(),
                };
                // One sequence with a tokenizer streams its text as it is decoded, in place of the progress bars.
                bool stream = !settings.Json && prompts.Ids.Length == 1 && model.Tokenizer is not null;
                // A streamed text follows the header; otherwise everything is written once the run has succeeded.
                if (stream)
                {
                    WriteHeader(output, model, settings, plan);
                    output.Write($"Generated text:{Environment.NewLine}  {prompts.Texts?[0] ?? model.Tokenizer!.Decode(prompts.Ids[0])}");
                }

                var (run, prefill, total) = RunProgress.Show(interactive && !stream, progress =>
                {
                    using var engine = progress.Load($"Loading {spec.Name}", () => BuildEngine(settings, spec, blueprint, engineOptions));
                    return progress.Generate(settings.MaxNewTokens, steps => Generate(engine, model, prompts.Ids, generation, steps, stream ? output : null));
                });
                var statistics = RunStatistics.From(run.Result, spec, prompts.Ids.Sum(p => p.Length), prefill, total);

                if (settings.Json)
                    WriteJson(output, spec, settings, plan, prompts, run, statistics);
                else
                {
                    if (!stream)
                        WriteHeader(output, model, settings, plan);
                    WriteResults(output, prompts, run, statistics, streamed: stream);
                }
                return 0;
            }
            catch (Exception e) when (e is UsageException or CheckpointException or JsonFormatException or InvalidLogitsException or IOException or UnauthorizedAccessException or InsufficientMemoryException)
            {
                error.WriteLine(e.Message);
                return 1;
            }
        }

        /// <summary>The model to run, where its weights come from, its tokenizer (null if it has none) and when it stops.</summary>
        private sealed record RunModel(ModelSpec Spec, string Source, TextTokenizer? Tokenizer, int[] EosTokenIds, string[] StopStrings);

        /// <summary>The prompts' ids, and their texts when they were given as text.</summary>
        private sealed record RunPrompts(int[][] Ids, string[]? Texts);

        /// <summary>The engine's result and, when the model has a tokenizer, each sequence's text.</summary>
        private sealed record RunOutput(GenerationResult Result, IReadOnlyList<TextCompletion>? Completions);

        private static RunModel ReadModel(RunSettings settings)
        {
            if (settings.Folder is not { } folder)
                return new RunModel(ModelCatalog.Get(ModelCatalog.TinyName), $"seeded random weights (seed {settings.Seed}), so its text is random too; its tokenizer is the built-in {BuiltInTokenizer.Description}",
                    BuiltInTokenizer.Load(), Array.Empty<int>(), Array.Empty<string>());
            if (!Directory.Exists(folder))
                throw new UsageException($"The checkpoint folder {folder} does not exist.");
            var spec = HuggingFaceConfig.Read(Path.Combine(folder, HuggingFaceConfig.FileName));
            return new RunModel(spec, $"checkpoint {Path.GetFullPath(folder)}", TextTokenizer.TryLoad(folder),
                GenerationConfig.ReadEosTokenIds(folder), GenerationConfig.ReadStopStrings(folder));
        }

        private static RunPrompts ReadPrompts(RunSettings settings, RunModel model)
        {
            if (settings.PromptIds is not null)
                return new RunPrompts(PromptIds.Parse(settings.PromptIds), null);
            if (settings.Prompts.Count == 0 && settings.PromptsFile is null && settings.Folder is null)
            {
                var (demoIds, demoTexts) = DemoPrompts.For(model.Tokenizer!);
                return new RunPrompts(demoIds, demoTexts);
            }
            string[]? texts = settings.Prompts.Count > 0 ? settings.Prompts.ToArray()
                : settings.PromptsFile is { } file ? ReadPromptsFile(file)
                : null;
            if (texts is null)
                return new RunPrompts(RandomPrompts(model.Spec, settings.Seed), null);
            var tokenizer = model.Tokenizer ?? throw new UsageException(
                $"Text prompts need a tokenizer, but {settings.Folder} has none of {TextTokenizer.TokenizerJsonFile}, {TextTokenizer.VocabFile} + {TextTokenizer.MergesFile}, {TextTokenizer.SentencePieceFile}; give --prompt-ids instead.");
            var ids = texts.Select(text => tokenizer.Encode(text)).ToArray();
            int empty = Array.FindIndex(ids, prompt => prompt.Length == 0);
            if (empty >= 0)
                throw new UsageException($"Prompt {empty} (\"{texts[empty]}\") encodes to no tokens; every sequence needs at least one.");
            return new RunPrompts(ids, texts);
        }

        private static string[] ReadPromptsFile(string path)
        {
            if (!File.Exists(path))
                throw new UsageException($"The prompts file {path} does not exist.");
            var prompts = File.ReadAllLines(path).Where(line => line.Trim().Length > 0).ToArray();
            return prompts.Length > 0 ? prompts : throw new UsageException($"The prompts file {path} holds no prompt (one a non-empty line).");
        }

        /// <summary>Uploads the weights; the checkpoint's mapping is released once the engine holds its own copy.</summary>
        internal static Engine BuildEngine(RunSettings settings, ModelSpec spec, EngineBlueprint? blueprint, EngineOptions options)
        {
            Engine Create(ModelWeights weights) => blueprint is null ? new Engine(weights, options) : blueprint.CreateEngine(weights, options);
            try
            {
                if (settings.Folder is null)
                    return Create(RandomWeights.Create(spec, settings.Seed));
                using var checkpoint = Checkpoint.Open(settings.Folder);
                if (settings.CheckWeights)
                    CheckpointWeights.CheckFinite(checkpoint, spec);
                return Create(CheckpointWeights.Load(checkpoint, spec));
            }
            catch (Exception e) when (e is NotSupportedException or CudaUnavailableException or InsufficientMemoryException)
            {
                throw new UsageException($"--device {settings.Device} cannot be used: {e.Message}");
            }
        }

        /// <summary>Generates, streaming the one sequence's text to <paramref name="stream"/> if given.</summary>
        private static RunOutput Generate(Engine engine, RunModel model, int[][] prompts, TextGenerationOptions options, IProgress<StepStatistics> progress, TextWriter? stream)
        {
            try
            {
                var text = new TextGenerator(engine, model.Tokenizer, model.EosTokenIds).Generate(prompts.Select(ids => new TextRequest(ids)).ToArray(), options,
                    progress: progress, onText: stream is null ? null : (_, delta) => stream.Write(delta));
                return new RunOutput(text.Generation, model.Tokenizer is null ? null : text.Completions);
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

        /// <summary>The blueprint of the auto split, for the workload the engine will run: its micro-batches as the schedule groups the prompts.</summary>
        private static EngineBlueprint Compile(RunSettings settings, ModelSpec spec, int[][] prompts)
        {
            var profile = settings.HardwareProfile;
            // Prompts may differ in length: the table spans the shortest prompt to the longest sequence.
            var workload = MicroBatching.Workload(settings.ScheduleKind, settings.MicroBatches, prompts.Length, prompts.Min(p => p.Length),
                settings.MaxNewTokens + prompts.Max(p => p.Length) - prompts.Min(p => p.Length)) with { GpuMemoryBytes = settings.GpuMemory, HostMemoryBytes = settings.HostMemory };
            try
            {
                return EngineBlueprint.Compile(spec, profile, workload,
                    DemoOptions(settings, spec) with { CpuAttention = CpuAttentionOption.Resolve(settings.CpuAttention, spec, profile) });
            }
            catch (SpecException e)
            {
                throw new UsageException(string.Join(" ", e.Errors.Select(error => error.Message)));
            }
        }

        /// <summary>
        /// The built-in model fits any GPU whole, which would show nothing of offloading: unless told how much memory
        /// there is, its plan keeps the weights resident and sends the KV cache to the host.
        /// </summary>
        private static PlannerOptions DemoOptions(RunSettings settings, ModelSpec spec) =>
            settings.Folder is null && settings.GpuMemory is null ? PlannerOptions.Default with { FixedResidency = Residency.WeightsOnly(spec) } : PlannerOptions.Default;

        /// <summary>Model, device, decoding and plan.</summary>
        private static void WriteHeader(TextWriter output, RunModel model, RunSettings settings, DecodePlan? plan)
        {
            var spec = model.Spec;
            output.WriteLine($"Model {spec.Name} ({spec.Architecture}, {spec.Layers} layers, hidden {spec.Hidden}, vocabulary {spec.Vocab}) from {model.Source}.");
            output.WriteLine($"Device {settings.Device}{(settings.TensorParallel > 1 ? $" split over {settings.TensorParallel} tensor-parallel ranks" : "")}, {(settings.ScheduleKind == ScheduleKind.RowByRow ? "row-by-row" : $"column-by-column over {settings.MicroBatches} micro-batches")} schedule, " +
                $"{(settings.Sampling.IsGreedy ? "greedy decoding" : $"sampling at temperature {settings.Temperature} (top-k {settings.TopK}, top-p {settings.TopP}, seed {settings.Seed})")}.");
            output.Write(plan is null
                ? $"Split {settings.Split}, fixed rather than planned: every layer's KV cache stays in host memory.{Environment.NewLine}"
                : PlanReport.FormatSummary(plan, spec));
        }

        private static void WriteResults(TextWriter output, RunPrompts prompts, RunOutput run, RunStatistics statistics, bool streamed)
        {
            if (run.Completions is { } completions)
            {
                if (streamed)
                    output.WriteLine($"{Environment.NewLine}  [{completions[0].TokenIds.Length} tokens, stopped at {Describe(completions[0].FinishReason)}]");
                else
                {
                    output.WriteLine("Generated text:");
                    foreach (var completion in completions)
                    {
                        if (prompts.Texts is { } texts)
                            output.WriteLine($"  {completion.Index} prompt: {Indent(texts[completion.Index])}");
                        output.WriteLine($"  {completion.Index} output: {Indent(completion.Text)}  [{completion.TokenIds.Length} tokens, stopped at {Describe(completion.FinishReason)}]");
                    }
                }
            }
            else
            {
                output.WriteLine("Generated tokens:");
                for (int sequence = 0; sequence < run.Result.Tokens.Length; sequence++)
                    output.WriteLine($"  {sequence}: {string.Join(" ", run.Result.Tokens[sequence])}");
            }
            output.WriteLine("Statistics:");
            foreach (string line in statistics.Lines())
                output.WriteLine("  " + line);
        }

        private static string Describe(FinishReason reason) => reason switch
        {
            FinishReason.Eos => "an end-of-sequence token",
            FinishReason.Stop => "a stop string",
            _ => "the token limit",
        };

        /// <summary>A multi-line text with its later lines indented under the first.</summary>
        private static string Indent(string text) => text.ReplaceLineEndings(Environment.NewLine + "      ");

        private static void WriteJson(TextWriter output, ModelSpec spec, RunSettings settings, DecodePlan? plan, RunPrompts prompts,
            RunOutput run, RunStatistics statistics)
        {
            var document = new JsonObject
            {
                ["model"] = spec.Name,
                ["split"] = settings.Split,
                ["plan"] = plan is null ? null : JsonNode.Parse(PlanJson.Write(plan, spec)),
                ["prompts"] = IdArrays(prompts.Ids),
                ["promptTexts"] = prompts.Texts is null ? null : new JsonArray(prompts.Texts.Select(text => (JsonNode)text).ToArray()),
                ["tokens"] = IdArrays(run.Result.Tokens),
                ["texts"] = run.Completions is null ? null : new JsonArray(run.Completions.Select(c => (JsonNode)c.Text).ToArray()),
                ["finishReasons"] = run.Completions is null ? null : new JsonArray(run.Completions.Select(c => (JsonNode)c.FinishReason.ToString().ToLowerInvariant()).ToArray()),
                ["stats"] = statistics.ToJson(),
            };
            output.WriteLine(document.ToJsonString(CliJson.Options));
        }

        private static JsonArray IdArrays(int[][] ids) => new(ids.Select(sequence => (JsonNode)new JsonArray(sequence.Select(id => (JsonNode)id).ToArray())).ToArray());
    }
}
