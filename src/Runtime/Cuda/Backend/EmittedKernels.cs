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
        /// <remarks>Runs hundreds of times a decode step, so it matches names without allocating; only a mismatch builds its message.</remarks>
        public void Launch(CudaStream stream, string name, LaunchSizes sizes, params ReadOnlySpan<(string Name, KernelArgument Value)> arguments)
        {
            if (!_kernels.TryGetValue(name, out var entry))
                throw new InvalidOperationException($"{ProgramName} has no kernel '{name}'; it has {string.Join(", ", _kernels.Keys)}.");
            var parameters = entry.Signature.Parameters;
            if (parameters.Count != arguments.Length)
                throw Mismatch(name, parameters, arguments);
            Span<KernelArgument> ordered = stackalloc KernelArgument[parameters.Count];
            for (int p = 0; p < ordered.Length; p++)
            {
                int given = IndexOf(arguments, parameters[p].Name);
                if (given < 0)
                    throw Mismatch(name, parameters, arguments);
                ordered[p] = arguments[given].Value;
            }
            entry.Kernel.Launch(stream, entry.Signature.Grid(sizes), entry.Signature.Launch.Block, 0, ordered);
        }

        private static int IndexOf(ReadOnlySpan<(string Name, KernelArgument Value)> arguments, string name)
        {
            for (int i = 0; i < arguments.Length; i++)
                if (string.Equals(arguments[i].Name, name, StringComparison.Ordinal))
                    return i;
            return -1;
        }

        private ArgumentException Mismatch(string name, IReadOnlyList<KernelParameter> parameters, ReadOnlySpan<(string Name, KernelArgument Value)> arguments)
        {
            var given = new List<string>();
            foreach (var argument in arguments)
                given.Add(argument.Name);
            var missing = parameters.Select(p => p.Name).Except(given);
            var unknown = given.Where(n => parameters.All(p => p.Name != n));
            return new ArgumentException($"Kernel '{name}' of {ProgramName} takes ({string.Join(", ", parameters.Select(p => p.Name))}); missing: [{string.Join(", ", missing)}], unknown: [{string.Join(", ", unknown)}].", nameof(arguments));
        }
    }
}
