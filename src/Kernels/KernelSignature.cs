using System;
using System.Collections.Generic;
using System.Linq;

namespace Kvpr.Kernels
{
    /// <summary>
    /// What a launcher needs to know about one extern "C" entry point of a <see cref="KernelSet"/>:
    /// its name, what it computes, its parameters in order, and its launch shape.
    /// </summary>
    public sealed record KernelSignature(string Name, string Description, IReadOnlyList<KernelParameter> Parameters, LaunchShape Launch)
    {
        /// <summary>The grid for a launch with these sizes; throws naming the kernel and the missing size.</summary>
        public Dim3 Grid(LaunchSizes sizes) => Launch.Grid(sizes, Name);

        public KernelParameter Parameter(string name) => Parameters.FirstOrDefault(p => p.Name == name)
            ?? throw new KeyNotFoundException($"Kernel '{Name}' has no parameter '{name}'. Its parameters: {string.Join(", ", Parameters.Select(p => p.Name))}.");

        public bool Equals(KernelSignature? other) => other is not null
            && Name == other.Name
            && Description == other.Description
            && Parameters.SequenceEqual(other.Parameters)
            && Launch.Equals(other.Launch);

        public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Name) ^ Parameters.Count;
    }
}
