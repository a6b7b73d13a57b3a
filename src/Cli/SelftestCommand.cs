using System;
using System.Collections.Generic;
using System.CommandLine;
using System.IO;
using System.Linq;
using Kvpr.Checkpoints;
using Kvpr.Kernels;
using Kvpr.Planning;
using Kvpr.Runtime.Cuda;
using Kvpr.Runtime.Cuda.Selftest;

namespace Kvpr.Cli
{
    /// <summary>
    /// <c>kvpr selftest --device cuda|cpu</c>: checks this machine's device layer and the generated kernels,
    /// printing PASS/FAIL per check. The cpu subset needs no GPU; cuda adds cuBLAS, NVRTC, pinned memory and NCCL (skipped where missing).
    /// </summary>
    internal static class SelftestCommand
    {
        private const string DefaultModel = "opt-6.7b";
        private const string FixturesFolder = "tests/fixtures";
        private const string CpuComparisonModel = "opt-1.3b";
        private const string TimingModel = "opt-6.7b";

        public static Command Create()
        {
            var device = new Option<string>("--device")
            {
                Description = "cuda: the GPU checks (cuBLAS, NVRTC, pinned memory, kernel sets); cpu: the checks that need no GPU.",
                DefaultValueFactory = _ => "cuda",
            };
            device.AcceptOnlyFromAmong("cuda", "cpu");
            var models = new Option<string[]>("--model")
            {
                Description = $"Models whose kernel sets are emitted (and compiled, on cuda): built-in names or config.json paths. " +
                              $"Default: {DefaultModel} and every {FixturesFolder}/*/config.json under the current folder.",
                AllowMultipleArgumentsPerToken = true,
            };
            var fixtures = new Option<string>("--fixtures")
            {
                Description = "Folder of fixture checkpoints with Hugging Face references, decoded on the GPU with every split and both schedules (cuda only).",
                DefaultValueFactory = _ => FixturesFolder,
            };
            var only = new Option<string?>("--only")
            {
                Description = "Run only the fixture checks whose names contain this text (cuda only), e.g. \"llama3-tiny, CPU attention\": to chase a check that failed.",
            };
            var repeat = new Option<int>("--repeat")
            {
                Description = "Run the checks that --only picks this many times: a check that fails now and then shows how often.",
                DefaultValueFactory = _ => 1,
            };
            var command = new Command("selftest", "Check that this machine can run Kvpr: prints PASS or FAIL for each check.") { device, models, fixtures, only, repeat };
            command.SetAction(parse => Run(parse.GetValue(device)!, parse.GetValue(models) ?? Array.Empty<string>(), Console.Out, Console.Error, parse.GetValue(fixtures)!,
                new FixtureSelection(parse.GetValue(only), parse.GetValue(repeat))));
            return command;
        }

        /// <summary>Which fixture checks run: all (<see cref="Text"/> null) with every other check, or those whose names contain <see cref="Text"/>, <see cref="Repeat"/> times each.</summary>
        internal sealed record FixtureSelection(string? Text, int Repeat)
        {
            public static FixtureSelection All { get; } = new(null, 1);
        }

        /// <returns>0 when every check passed, 1 otherwise (also when the device cannot be opened or --only and --repeat cannot apply).</returns>
        internal static int Run(string device, IReadOnlyList<string> models, TextWriter output, TextWriter error, string fixturesFolder = FixturesFolder, FixtureSelection? selection = null)
        {
            selection ??= FixtureSelection.All;
            string? misuse = selection switch
            {
                { Repeat: < 1 } => $"--repeat is {selection.Repeat}; give 1 or more.",
                { Text: null, Repeat: > 1 } => "--repeat runs the checks that --only picks; give --only too.",
                { Text: not null } when device != "cuda" => "--only picks fixture checks, which run on the GPU; use it with --device cuda.",
                _ => null,
            };
            if (misuse is not null)
            {
                error.WriteLine(misuse);
                return 1;
            }
            CudaDevice? cuda = null;
            if (device == "cuda")
            {
                try
                {
                    cuda = CudaDevice.Open();
                }
                catch (CudaUnavailableException e)
                {
                    error.WriteLine(e.Message);
                    return 1;
                }
            }
            using (cuda)
            {
                output.WriteLine($"kvpr selftest --device {device}");
                var checks = Report(LibraryChecks(), output).ToList();
                var kernelSets = new List<KernelSet>();
                foreach (var model in models.Count > 0 ? models : DefaultModels())
                    checks.Add(Report(EmitCheck(model, kernelSets), output));
                if (cuda is not null && selection.Text is string text)
                {
                    var picked = new BackendSelftest(cuda.Ordinal).FixtureCases(fixturesFolder).Where(c => c.Name.Contains(text, StringComparison.OrdinalIgnoreCase)).ToArray();
                    if (picked.Length == 0)
                    {
                        error.WriteLine($"--only \"{text}\" matches no fixture check's name under {Path.GetFullPath(fixturesFolder)}.");
                        return 1;
                    }
                    for (int round = 1; round <= selection.Repeat; round++)
                        checks.AddRange(Report(picked.Select(c => BackendSelftest.Guarded(selection.Repeat == 1 ? c.Name : $"{c.Name} (run {round} of {selection.Repeat})", c.Check)), output));
                }
                else if (cuda is not null)
                {
                    checks.AddRange(Report(new CudaSelftest(cuda).Run(kernelSets), output));
                    checks.AddRange(Report(new NcclSelftest(cuda.Ordinal).Run(), output));
                    checks.AddRange(Report(new KernelSelftest(cuda.Ordinal).Run(), output));
                    var backend = new BackendSelftest(cuda.Ordinal);
                    checks.AddRange(Report(backend.Fixtures(fixturesFolder), output));
                    checks.Add(Report(backend.AgainstCpu(CpuComparisonModel), output));
                    checks.Add(Report(backend.NonFiniteLogits(), output));
                    var lifetimes = new LifetimeSelftest(cuda.Ordinal);
                    checks.Add(Report(lifetimes.EngineLifetimes(), output));
                    checks.Add(Report(lifetimes.CancelThenGenerate(), output));
                    foreach (var residency in new[] { new Residency(0, 0), new Residency(8, 16), new Residency(24, 24) })
                        checks.Add(Report(backend.PlannedMemory(CpuComparisonModel, batch: 8, promptLength: 512, newTokens: 4, residency), output));
                    checks.Add(Report(backend.Timing(TimingModel, batch: 8, promptLength: 512, newTokens: 8), output));
                }
                int failed = checks.Count(c => !c.Passed), total = checks.Count(c => !c.Informational);
                output.WriteLine(failed == 0 ? $"PASS: all {total} checks passed." : $"FAIL: {failed} of {total} checks failed.");
                return failed == 0 ? 0 : 1;
            }
        }

        /// <summary>Where each CUDA library would be loaded from: facts for the report, not checks.</summary>
        private static IEnumerable<SelftestCheck> LibraryChecks()
        {
            var search = CudaLibrarySearch.ForThisProcess;
            foreach (var library in Enum.GetValues<CudaLibrary>())
            {
                var found = search.Candidates(library).FirstOrDefault(Path.IsPathRooted);
                yield return SelftestCheck.Info($"{library} library", found ?? $"not in {string.Join(", ", search.Folders(library))} (the system loader may still find it)");
            }
        }

        private static IEnumerable<string> DefaultModels()
        {
            yield return DefaultModel;
            if (Directory.Exists(FixturesFolder))
                foreach (var folder in Directory.GetDirectories(FixturesFolder).OrderBy(f => f, StringComparer.Ordinal))
                    if (File.Exists(Path.Combine(folder, HuggingFaceConfig.FileName)))
                        yield return Path.Combine(folder, HuggingFaceConfig.FileName);
        }

        /// <summary>Emits a model's kernels (keeping them for the GPU checks); a bad name, config or spec is this check's failure.</summary>
        private static SelftestCheck EmitCheck(string model, List<KernelSet> emitted)
        {
            try
            {
                var spec = ModelCatalog.TryGet(model, out var builtIn) ? builtIn : HuggingFaceConfig.Read(model);
                var kernels = KernelEmitter.Emit(spec);
                emitted.Add(kernels);
                return new SelftestCheck($"emit kernels {spec.Name}", true, $"{kernels.Kernels.Count} entry points, {kernels.Source.Length / 1024} KiB of CUDA C, sha256 {kernels.ContentHash.Substring(0, 12)}");
            }
            catch (Exception e) when (e is CheckpointException or KernelEmitException)
            {
                return new SelftestCheck($"emit kernels {model}", false, e.Message);
            }
        }

        /// <summary>Prints each check as it completes (GPU checks take seconds) and passes it on.</summary>
        private static IEnumerable<SelftestCheck> Report(IEnumerable<SelftestCheck> checks, TextWriter output) => checks.Select(check => Report(check, output));

        private static SelftestCheck Report(SelftestCheck check, TextWriter output)
        {
            output.WriteLine($"  {check.Verdict}  {check.Name}: {check.Detail}");
            return check;
        }
    }
}
