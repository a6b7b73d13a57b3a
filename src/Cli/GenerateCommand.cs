using System;
using System.CommandLine;
using System.IO;
using System.Linq;
using System.Threading;
using Kvpr.Checkpoints;
using Kvpr.Cli.Batch;
using Kvpr.Planning;
using Kvpr.Text;
// Hardware profiles (--profile) are read by the compiler's reader, as the generator reads them; every other JSON input by Kvpr.Runtime.Json.
using JsonFormatException = Kvpr.Json.JsonFormatException;

namespace Kvpr.Cli
{
    /// <summary>
    /// <c>kvpr generate DIR --input prompts.jsonl --output results.jsonl</c>: a batch job over a file of requests,
    /// one result record a line as each sequence finishes; resumable, Ctrl-C stops after the current step.
    /// </summary>
    internal static class GenerateCommand
    {
        /// <summary>Exit code of a job stopped by Ctrl-C (128 + SIGINT, as shells report it).</summary>
        public const int Interrupted = 130;

        public static Command Create()
        {
            var defaults = new GenerateSettings();
            var folder = new Argument<string>("checkpoint") { Description = "A Hugging Face checkpoint folder (config.json, safetensors and, for text prompts, a tokenizer)." };
            var input = new Option<string>("--input") { Description = "Requests, one JSON object a line: {\"id\", \"prompt\" or \"prompt_ids\", optional \"max_new_tokens\", \"temperature\", \"top_p\", \"top_k\", \"seed\", \"stop\"}.", Required = true, HelpName = "prompts.jsonl" };
            var output = new Option<string>("--output") { Description = "Results, one JSON object a line, appended as each sequence finishes; ids already there are skipped (resume).", Required = true, HelpName = "results.jsonl" };
            var device = new Option<string>("--device") { Description = "Where to compute.", HelpName = "cpu|cuda", DefaultValueFactory = _ => defaults.Device };
            var maxNewTokens = new Option<int>("--max-new-tokens") { Description = "Tokens per request unless its line says otherwise.", DefaultValueFactory = _ => defaults.MaxNewTokens };
            var schedule = new Option<string>("--schedule") { Description = "column: each layer over every micro-batch (throughput); row: one batch through all layers.", HelpName = "column|row", DefaultValueFactory = _ => defaults.Schedule };
            var microBatches = new Option<int>("--micro-batches") { Description = "Micro-batches of the column schedule.", DefaultValueFactory = _ => defaults.MicroBatches };
            var maxBatch = new Option<int>("--max-batch") { Description = "Sequences decoded together at most (fewer where the plan does not fit).", DefaultValueFactory = _ => defaults.MaxBatch };
            var profile = new Option<string?>("--profile") { Description = $"Hardware profile the batches and splits are planned for. Default: {HardwareProfiles.DefaultName}." };
            var stop = new Option<string[]>("--stop") { Description = "A text that ends every sequence where it appears (repeatable), besides each request's and generation_config.json's.", HelpName = "text" };
            var command = new Command("generate", "Run a batch job: every request of a JSONL file, results written to a JSONL file as they finish (resumable).")
            {
                folder, input, output, device, maxNewTokens, schedule, microBatches, maxBatch, profile, stop,
            };
            command.SetAction(parse =>
            {
                var settings = new GenerateSettings
                {
                    Folder = parse.GetValue(folder)!,
                    Input = parse.GetValue(input)!,
                    Output = parse.GetValue(output)!,
                    Device = parse.GetValue(device)!,
                    MaxNewTokens = parse.GetValue(maxNewTokens),
                    Schedule = parse.GetValue(schedule)!,
                    MicroBatches = parse.GetValue(microBatches),
                    MaxBatch = parse.GetValue(maxBatch),
                    Profile = parse.GetValue(profile),
                    Stop = parse.GetValue(stop) ?? Array.Empty<string>(),
                };
                var console = parse.InvocationConfiguration.Output;
                bool interactive = console == Console.Out && !Console.IsOutputRedirected;
                // Ctrl-C cancels between steps: the step running finishes and its finished sequences are written.
                using var interrupt = new CancellationTokenSource();
                ConsoleCancelEventHandler onCancel = (_, e) =>
                {
                    e.Cancel = true;
                    interrupt.Cancel();
                };
                Console.CancelKeyPress += onCancel;
                try
                {
                    return Run(settings, console, parse.InvocationConfiguration.Error, interactive, interrupt.Token);
                }
                finally
                {
                    Console.CancelKeyPress -= onCancel;
                }
            });
            return command;
        }

        internal static int Run(GenerateSettings settings, TextWriter output, TextWriter error, bool interactive, CancellationToken cancellationToken)
        {
            try
            {
                var run = settings.AsRunSettings();
                run.Check();
                if (settings.MaxBatch < 1)
                    throw new UsageException($"--max-batch must be at least 1, but is {settings.MaxBatch}.");
                if (!Directory.Exists(settings.Folder))
                    throw new UsageException($"The checkpoint folder {settings.Folder} does not exist.");
                if (!File.Exists(settings.Input))
                    throw new UsageException($"The input file {settings.Input} does not exist.");
                var profile = run.HardwareProfile;
                var spec = HuggingFaceConfig.Read(Path.Combine(settings.Folder, HuggingFaceConfig.FileName));
                var tokenizer = TextTokenizer.TryLoad(settings.Folder);
                if (tokenizer is null && settings.Stop.Count > 0)
                    throw new UsageException("--stop needs a tokenizer to find the text in; the checkpoint has none.");
                var options = new TextGenerationOptions
                {
                    MaxNewTokens = settings.MaxNewTokens,
                    StopStrings = (tokenizer is null ? Array.Empty<string>() : GenerationConfig.ReadStopStrings(settings.Folder)).Concat(settings.Stop).ToArray(),
                };

                using var results = BatchOutput.Open(settings.Output);
                var job = new BatchJob(spec, tokenizer, settings.MaxNewTokens);
                var pending = job.ReadRequests(settings.Input, results);
                int skipped = results.DoneIds.Count;
                if (pending.Count == 0)
                {
                    output.WriteLine($"Nothing to do: every request of {settings.Input} is in {settings.Output}.");
                    return 0;
                }
                var planner = new BatchPlanner(spec, profile, run.ScheduleKind, settings.MicroBatches, settings.MaxBatch);
                bool stopped = BatchProgress.Show(interactive, pending.Count, error, progress =>
                {
                    using var engine = RunCommand.BuildEngine(run, spec, null, new EngineOptions
                    {
                        Device = run.ComputeDevice,
                        Schedule = run.ScheduleKind,
                        MicroBatches = settings.MicroBatches,
                        Split = SplitPolicy.AutoFor(profile),
                    });
                    var generator = new TextGenerator(engine, tokenizer, GenerationConfig.ReadEosTokenIds(settings.Folder));
                    try
                    {
                        foreach (var batch in job.Batches(pending, planner))
                            job.Run(generator, batch, options, results, progress, cancellationToken);
                        return false;
                    }
                    catch (OperationCanceledException)
                    {
                        return true;
                    }
                });
                output.WriteLine(stopped
                    ? $"Stopped: the finished results are in {settings.Output}; run the same command again to go on."
                    : $"Done: {pending.Count} requests written to {settings.Output}{(skipped > 0 ? $" ({skipped} were there from an earlier run)" : "")}.");
                return stopped ? Interrupted : 0;
            }
            catch (Exception e) when (e is UsageException or CheckpointException or JsonFormatException or IOException or UnauthorizedAccessException)
            {
                error.WriteLine(e.Message);
                return 1;
            }
        }
    }
}
