using System;
using System.CommandLine;
using System.Globalization;
using System.IO;
using Kvpr.Host;
using Kvpr.Runtime.Cuda;

namespace Kvpr.Cli
{
    /// <summary>
    /// <c>kvpr profile --out NAME.hwprofile.json</c>: measures the current GPU and host and writes a hardware profile;
    /// <c>kvpr profile --host-only</c>: measures and prints the host's side alone (no GPU needed, nothing written).
    /// </summary>
    internal static class ProfileCommand
    {
        private static readonly TimeSpan HostProbeBudget = TimeSpan.FromSeconds(2);

        public static Command Create()
        {
            var output = new Option<FileInfo?>("--out") { Description = "The profile to write (NAME.hwprofile.json); required unless --host-only." };
            var name = new Option<string?>("--name") { Description = "The profile's name; defaults to the file name without .hwprofile.json." };
            var deviceIndex = new Option<int>("--device-index") { Description = "Which GPU to measure.", DefaultValueFactory = _ => 0 };
            var hostOnly = new Option<bool>("--host-only")
            {
                Description = "Measure only the host: memory read bandwidth and CPU attention rate (every core); print them and write nothing.",
            };
            var command = new Command("profile",
                "Measure pinned copies, GEMM rate, memory bandwidth and launch overhead of a GPU, and the host's memory and CPU attention rates, into a hardware profile.")
            {
                output, name, deviceIndex, hostOnly,
            };
            command.SetAction(parse => parse.GetValue(hostOnly)
                ? RunHostOnly(parse.GetValue(output), Console.Out, Console.Error)
                : Run(parse.GetValue(output), parse.GetValue(name), parse.GetValue(deviceIndex), Console.Out, Console.Error));
            return command;
        }

        internal static int Run(FileInfo? file, string? name, int deviceIndex, TextWriter output, TextWriter error)
        {
            if (file is null)
            {
                error.WriteLine("Option '--out' is required: the profile to write (or --host-only to measure the host alone).");
                return 1;
            }
            string profileName = name ?? DefaultName(file.Name);
            CudaDevice device;
            try
            {
                device = CudaDevice.Open(deviceIndex);
            }
            catch (CudaUnavailableException e)
            {
                error.WriteLine(e.Message);
                return 1;
            }
            using (device)
            {
                output.WriteLine($"Profiling {device.Name} ({device.Architecture}) as '{profileName}':");
                var profile = new CudaProfiler(device, line => output.WriteLine($"  {line}")).Measure(profileName);
                string text = HardwareProfileFormat.Write(profile);
                // What the generator will read must parse: check before writing rather than after shipping.
                HardwareProfileFormat.Parse(text, file.FullName);
                File.WriteAllText(file.FullName, text);
                output.WriteLine($"Wrote {file.FullName}.");
                return 0;
            }
        }

        /// <summary>
        /// The host's two figures and the kernel's share of the read bandwidth: what CPU attention can take of the host. The
        /// attention rate is measured for fp16 and bf16 stores in heads of 128 and 64 (the first is the profile's figure), and for
        /// fp16 heads of 128 each read by four query heads (the profile's grouped figure).
        /// </summary>
        internal static int RunHostOnly(FileInfo? file, TextWriter output, TextWriter error)
        {
            if (file is not null)
            {
                error.WriteLine("--host-only measures the host alone and writes no profile; leave out --out.");
                return 1;
            }
            output.WriteLine($"Profiling the host ({Environment.ProcessorCount} logical processors):");
            void Log(string line) => output.WriteLine($"  {line}");
            double read = HostMemoryProbe.MeasureReadBytesPerSecond(HostProbeBudget, Log);
            double Probe(HostElementType element, int headDim, int queryHeadsPerKvHead = 1)
            {
                string measured = "";
                double rate = HostAttentionProbe.MeasureBytesPerSecond(HostProbeBudget, line => measured = line, element, headDim, queryHeadsPerKvHead);
                Log(string.Create(CultureInfo.InvariantCulture, $"{measured}: {rate / read:P0} of the read bandwidth"));
                return rate;
            }
            double profiled = Probe(HostElementType.Float16, HostAttentionProbe.DefaultHeadDim);
            Probe(HostElementType.Float16, 64);
            Probe(HostElementType.BFloat16, HostAttentionProbe.DefaultHeadDim);
            Probe(HostElementType.BFloat16, 64);
            double grouped = Probe(HostElementType.Float16, HostAttentionProbe.DefaultHeadDim, HardwareProfile.GroupedAttentionQueryHeads);
            // The profile's grouped figure is fp16's; bf16's is printed beside it (Llama-3 stores are bf16).
            Probe(HostElementType.BFloat16, HostAttentionProbe.DefaultHeadDim, HardwareProfile.GroupedAttentionQueryHeads);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  hostMemoryReadGBps {read / 1e9:F1}, hostAttentionGBps {profiled / 1e9:F1}, hostGroupedAttentionGBps {grouped / 1e9:F1}: " +
                $"CPU attention reads at {profiled / read:P0} of the read bandwidth."));
            return 0;
        }

        private static string DefaultName(string fileName) => fileName.EndsWith(HardwareProfileFormat.FileSuffix, StringComparison.Ordinal)
            ? fileName.Substring(0, fileName.Length - HardwareProfileFormat.FileSuffix.Length)
            : Path.GetFileNameWithoutExtension(fileName);
    }
}
