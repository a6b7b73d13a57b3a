namespace Kvpr.Kernels.Launchers
{
    /// <summary>
    /// One parameter of a typed kernel launcher: the C type and name of the kernel parameter it passes, and whether
    /// only some models' kernels take it (a bias, OPT's learned positions).
    /// </summary>
    public sealed record LauncherParameter(string CType, string Name, bool Optional)
    {
        public ParameterKind Kind => new KernelParameter(CType, Name, "").Kind;
    }
}
