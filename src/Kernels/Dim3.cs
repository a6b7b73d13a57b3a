namespace Kvpr.Kernels
{
    /// <summary>A grid size as cuLaunchKernel takes it.</summary>
    public readonly record struct Dim3(int X, int Y, int Z);
}
