using System;
using System.Collections.Generic;
using Kvpr.Kernels.Launchers;

namespace Kvpr.Runtime.Cuda.Launchers
{
    /// <summary>The arguments of one launch of one generated kernel, typed and by name (see KernelLaunches.g.cs).</summary>
    internal interface IKernelLaunch
    {
        /// <summary>The kernel's entry point.</summary>
        static abstract string Kernel { get; }

        /// <summary>Every parameter any model's kernel of this name takes, in source order.</summary>
        static abstract IReadOnlyList<LauncherParameter> Parameters { get; }

        /// <summary>Writes the given arguments in the kernel's order; returns which of <see cref="Parameters"/> were given, a bit each.</summary>
        ulong Write(Span<KernelArgument> arguments);
    }
}
