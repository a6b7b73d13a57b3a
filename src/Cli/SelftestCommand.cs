using System;
using System.Collections.Generic;
using System.CommandLine;
using System.IO;
using System.Linq;
using Kvpr.Runtime.Cuda;

namespace Kvpr.Cli
{
    /// <summary><c>kvpr selftest --device cuda|cpu</c>: checks the device layer on this machine and prints PASS/FAIL per check.</summary>
    internal static class SelftestCommand
    {
        public static Command Create()
        {
            var device = new Option<string>("--device")
            {
                Description = "cuda: the GPU checks (cuBLAS, NVRTC, pinned memory); cpu: the checks that need no GPU.",
                DefaultValueFactory = _ => "cuda",
            };
            device.AcceptOnlyFromAmong("cuda", "cpu");
            var command = new Command("selftest", "Check that this machine can run Kvpr: prints PASS or FAIL for each check.") { device };
            command.SetAction(parse => Run(parse.GetValue(device)!, Console.Out, Console.Error));
            return command;
        }

        /// <returns>0 when every check passed, 1 otherwise (also when the device cannot be opened).</returns>
        internal static int Run(string device, TextWriter output, TextWriter error)
        {
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
                var checks = Report(CpuChecks(), output).ToList();
                if (cuda is not null)
                    checks.AddRange(Report(new CudaSelftest(cuda).Run(), output));
                int failed = checks.Count(c => !c.Passed), total = checks.Count(c => !c.Informational);
                output.WriteLine(failed == 0 ? $"PASS: all {total} checks passed." : $"FAIL: {failed} of {total} checks failed.");
                return failed == 0 ? 0 : 1;
            }
        }

        /// <summary>What needs no GPU: where the CUDA libraries would load from, and the stored hardware profiles.</summary>
        private static IEnumerable<SelftestCheck> CpuChecks()
        {
            var search = CudaLibrarySearch.ForThisProcess;
            foreach (var library in Enum.GetValues<CudaLibrary>())
            {
                var found = search.Candidates(library).FirstOrDefault(Path.IsPathRooted);
                yield return SelftestCheck.Info($"{library} library", found ?? $"not in {string.Join(", ", search.Folders())} (the system loader may still find it)");
            }
            foreach (var name in HardwareProfiles.StoredNames)
                yield return CudaSelftest.Guarded($"stored profile {name}", () =>
                {
                    try
                    {
                        var profile = HardwareProfiles.Stored(name);
                        return (true, $"{profile.Device}: host→device {profile.HostToDevice.BytesPerSecond / 1e9:F1} GB/s");
                    }
                    catch (Json.JsonFormatException e)
                    {
                        return (false, e.Message);
                    }
                });
        }

        /// <summary>Prints each check as it completes (GPU checks take seconds) and passes it on.</summary>
        private static IEnumerable<SelftestCheck> Report(IEnumerable<SelftestCheck> checks, TextWriter output)
        {
            foreach (var check in checks)
            {
                output.WriteLine($"  {check.Verdict}  {check.Name}: {check.Detail}");
                yield return check;
            }
        }
    }
}
