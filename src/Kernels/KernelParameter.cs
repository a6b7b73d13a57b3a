namespace Kvpr.Kernels
{
    /// <summary>
    /// One parameter of a kernel entry point, in launch order: its C type as written in the source (without
    /// <c>__restrict__</c>), its name, and what the caller passes (layout and shape of a buffer, or the meaning of a scalar).
    /// </summary>
    public sealed record KernelParameter(string CType, string Name, string Meaning)
    {
        /// <summary>How the launcher marshals the argument: pointers are CUdeviceptr (8 bytes), scalars 4 bytes.</summary>
        public ParameterKind Kind => CType.EndsWith("*", System.StringComparison.Ordinal)
            ? ParameterKind.DevicePointer
            : CType == "int" ? ParameterKind.Int32 : ParameterKind.Float32;
    }
}
