using System.IO;
using System.Linq;
using System.Reflection;

namespace Kvpr.Generators.Tests.Infrastructure;

/// <summary>Folders of the repository the tests read, located through the build (see the test project).</summary>
internal static class RepoPaths
{
    public static string Root { get; } = typeof(RepoPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "KvprRepoRoot").Value!;

    public static string Snapshots => Path.Combine(Root, "snapshots");

    public static string Fixture(string name) => Path.Combine(Root, "tests", "fixtures", name);
}
