using System;
using System.Collections.Generic;
using System.Linq;
using Kvpr.Kernels;

namespace Kvpr.Runtime.Cuda.Backend
{
    /// <summary>
    /// A model's generated kernels compiled for the device (through the on-disk cubin cache, so once per model
    /// and architecture) and loaded, each launched from its <see cref="KernelSignature"/>: arguments by parameter
    /// name, checked against the signature, grid from the launch shape.
    /// </summary>
    internal sealed class EmittedKernels
    {
        private readonly Dictionary<string, (CudaKernel Kernel, KernelSignature Signature)> _kernels = new();

        /// <exception cref="KernelCompileException">NVRTC rejected the source; carries its log and the program name.</exception>
        public EmittedKernels(CudaComputeDevice device, KernelSet kernels)
        {
            var compiler = new NvrtcCompiler(device.Cuda.Architecture, CubinCache.ForThisUser());
            var module = device.LoadModule(compiler.Compile(kernels.Source, kernels.ProgramName, KernelSet.NvrtcOptions));
            foreach (var signature in kernels.Kernels)
                _kernels.Add(signature.Name, (module.GetKernel(signature.Name), signature));
            ProgramName = kernels.ProgramName;
        }

        public string ProgramName { get; }

        public bool Has(string name) => _kernels.ContainsKey(name);

        /// <summary>Queues kernel <paramref name="name"/>; every parameter of its signature must be given, and nothing else.</summary>
        public void Launch(CudaStream stream, string name, LaunchSizes sizes, params (string Name, KernelArgument Value)[] arguments)
        {
            if (!_kernels.TryGetValue(name, out var entry))
                throw new InvalidOperationException($"{ProgramName} has no kernel '{name}'; it has {string.Join(", ", _kernels.Keys)}.");
            var byName = arguments.ToDictionary(a => a.Name, a => a.Value);
            var parameters = entry.Signature.Parameters;
            var missing = parameters.Where(p => !byName.ContainsKey(p.Name)).Select(p => p.Name).ToArray();
            var unknown = byName.Keys.Where(n => parameters.All(p => p.Name != n)).ToArray();
            if (missing.Length > 0 || unknown.Length > 0)
                throw new ArgumentException($"Kernel '{name}' of {ProgramName} takes ({string.Join(", ", parameters.Select(p => p.Name))}); missing: [{string.Join(", ", missing)}], unknown: [{string.Join(", ", unknown)}].", nameof(arguments));
            var ordered = parameters.Select(p => byName[p.Name]).ToArray();
            entry.Kernel.Launch(stream, entry.Signature.Grid(sizes), entry.Signature.Launch.Block, 0, ordered);
        }
    }
}
