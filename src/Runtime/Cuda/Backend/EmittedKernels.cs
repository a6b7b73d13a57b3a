using System;
using System.Collections.Generic;
using System.Numerics;
using Kvpr.Kernels;
using Kvpr.Runtime.Cuda.Launchers;

namespace Kvpr.Runtime.Cuda.Backend
{
    /// <summary>
    /// A model's generated kernels compiled for the device (through the on-disk cubin cache, so once per model
    /// and architecture) and loaded, each launched through its typed launcher (KernelLaunches.g.cs): arguments by
    /// name and type, checked by the compiler; which optional ones the model's kernel takes is checked at load.
    /// </summary>
    internal sealed class EmittedKernels
    {
        private readonly Dictionary<string, (CudaKernel Kernel, KernelSignature Signature, ulong Expected)> _kernels = new();

        /// <exception cref="KernelCompileException">NVRTC rejected the source; carries its log and the program name.</exception>
        public EmittedKernels(CudaComputeDevice device, KernelSet kernels)
        {
            var compiler = new NvrtcCompiler(device.Cuda.Architecture, CubinCache.ForThisUser());
            var module = device.LoadModule(compiler.Compile(kernels.Source, kernels.ProgramName, KernelSet.NvrtcOptions));
            foreach (var signature in kernels.Kernels)
                _kernels.Add(signature.Name, (module.GetKernel(signature.Name), signature, LaunchBinding.Expected(signature)));
            ProgramName = kernels.ProgramName;
            SourceHash = kernels.ContentHash;
        }

        public string ProgramName { get; }

        /// <summary>The SHA-256 of the CUDA source these kernels were compiled from.</summary>
        public string SourceHash { get; }

        public bool Has(string kernel) => _kernels.ContainsKey(kernel);

        /// <summary>
        /// Queues the model's prefill attention: prefill_attention_mma (tensor cores) where the emitter chose it for the
        /// model's head dim, else prefill_attention; both take the same arguments.
        /// </summary>
        public void LaunchPrefillAttention(CudaStream stream, LaunchSizes sizes, in PrefillAttentionLaunch arguments)
        {
            if (Has(PrefillAttentionMmaLaunch.Kernel))
                Launch(stream, sizes, new PrefillAttentionMmaLaunch(arguments.Q, arguments.KCache, arguments.VCache, arguments.Out, arguments.Tokens, arguments.FirstPosition, arguments.CacheCapacity));
            else
                Launch(stream, sizes, arguments);
        }

        /// <summary>Queues <typeparamref name="T"/>'s kernel; its optional arguments must be given exactly where this model's kernel takes them.</summary>
        public void Launch<T>(CudaStream stream, LaunchSizes sizes, in T arguments) where T : struct, IKernelLaunch
        {
            if (!_kernels.TryGetValue(T.Kernel, out var entry))
                throw new InvalidOperationException($"{ProgramName} has no kernel '{T.Kernel}'; it has {string.Join(", ", _kernels.Keys)}.");
            Span<KernelArgument> ordered = stackalloc KernelArgument[T.Parameters.Count];
            ulong given = arguments.Write(ordered);
            if (given != entry.Expected)
                throw new ArgumentException($"Kernel '{T.Kernel}' of {ProgramName} takes ({LaunchBinding.Names(T.Parameters, entry.Expected)}) but was given ({LaunchBinding.Names(T.Parameters, given)}).", nameof(arguments));
            entry.Kernel.Launch(stream, entry.Signature.Grid(sizes), entry.Signature.Launch.Block, 0, ordered[..BitOperations.PopCount(given)]);
        }
    }
}
