using System.IO;
using System.Linq;
using System.Reflection;

namespace Kvpr.Package.Tests.Infrastructure;

/// <summary>What the build told this assembly (see the project): the repository, the configuration its projects were built in, the package version.</summary>
internal static class BuildSettings
{
    private static readonly Assembly Self = typeof(BuildSettings).Assembly;

    public static string RepoRoot { get; } = Metadata("KvprRepoRoot");

    public static string PackageVersion { get; } = Metadata("KvprPackageVersion");

    public static string Configuration { get; } = Self.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;

    public static string Fixture(string name) => Path.Combine(RepoRoot, "tests", "fixtures", name);

    private static string Metadata(string key) => Self.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
}
