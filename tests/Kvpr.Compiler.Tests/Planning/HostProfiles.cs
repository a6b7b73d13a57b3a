namespace Kvpr.Compiler.Tests.Planning;

/// <summary>Profiles that measured the host's side of CPU attention, for the three-way split's tests.</summary>
internal static class HostProfiles
{
    /// <summary>The H100 box of issue 11: 16 threads read host memory at ~150 GB/s; CPU attention folds K and V in at 105 GB/s.</summary>
    public static HardwareProfile H100 { get; } = With(HardwareProfiles.Default, hostReadGBps: 150, hostAttentionGBps: 105);

    public static HardwareProfile With(HardwareProfile profile, double hostReadGBps, double hostAttentionGBps) => profile with
    {
        Name = profile.Name + "-host",
        HostMemoryReadBytesPerSecond = hostReadGBps * 1e9,
        HostAttentionBytesPerSecond = hostAttentionGBps * 1e9,
    };
}
