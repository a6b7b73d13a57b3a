using System;
using System.CommandLine;
using System.IO;
using Kvpr.Runtime.Cuda;

namespace Kvpr.Cli
{
    /// <summary><c>kvpr profile --out NAME.hwprofile.json</c>: measures the current GPU and writes a hardware profile.</summary>
    internal static class ProfileCommand
    {
        public static Command Create()
        {
            var output = new Option<FileInfo>("--out") { Description = "The profile to write (NAME.hwprofile.json).", Required = true };
            var name = new Option<string?>("--name") { Description = "The profile's name; defaults to the file name without .hwprofile.json." };
            var deviceIndex = new Option<int>("--device-index") { Description = "Which GPU to measure.", DefaultValueFactory = _ => 0 };
            var command = new Command("profile", "Measure pinned copies, GEMM rate, memory bandwidth and launch overhead of a GPU into a hardware profile.")
            {
                output, name, deviceIndex,
            };
            command.SetAction(parse => Run(parse.GetValue(output)!, parse.GetValue(name), parse.GetValue(deviceIndex), Console.Out, Console.Error));
            return command;
        }

        internal static int Run(FileInfo file, string? name, int deviceIndex, TextWriter output, TextWriter error)
        {
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

        private static string DefaultName(string fileName) => fileName.EndsWith(HardwareProfileFormat.FileSuffix, StringComparison.Ordinal)
            ? fileName.Substring(0, fileName.Length - HardwareProfileFormat.FileSuffix.Length)
            : Path.GetFileNameWithoutExtension(fileName);
    }
}
