using System;
using System.Collections.Generic;
using System.IO;

namespace Kvpr.Package.Tests.Infrastructure;

/// <summary>
/// Kvpr and Kvpr.Cli packed from this build into a temporary folder (or the folder named by KVPR_PACKAGES, where .ci/run
/// packs the Release packages), and a NuGet configuration that takes them from there only (everything else from
/// nuget.org) into a package cache of its own: a package left in the user's cache by an earlier pack of the same
/// version never stands in for the one under test.
/// </summary>
public sealed class LocalPackages : IDisposable
{
    public LocalPackages()
    {
        Root = Directory.CreateTempSubdirectory("kvpr-packages-").FullName;
        Environment = new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(Root, "cache") };
        Source = System.Environment.GetEnvironmentVariable("KVPR_PACKAGES") is { Length: > 0 } packed ? Path.GetFullPath(packed) : PackThisBuild();
        File.WriteAllText(Path.Combine(Root, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="kvpr" value="{Source}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
              <packageSourceMapping>
                <packageSource key="kvpr">
                  <package pattern="Kvpr" />
                  <package pattern="Kvpr.*" />
                </packageSource>
                <packageSource key="nuget.org">
                  <package pattern="*" />
                </packageSource>
              </packageSourceMapping>
            </configuration>
            """);
    }

    /// <summary>The folder holding nuget.config; projects and tools created below it restore through it.</summary>
    public string Root { get; }

    /// <summary>The folder the packages were packed into.</summary>
    public string Source { get; }

    /// <summary>Environment for every dotnet command run against these packages.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; }

    private string PackThisBuild()
    {
        string folder = Directory.CreateDirectory(Path.Combine(Root, "source")).FullName;
        foreach (string project in new[] { "src/Package/Kvpr.Package.csproj", "src/Cli/Kvpr.Cli.csproj" })
            Dotnet.Run(Root, Environment, "pack", Path.Combine(BuildSettings.RepoRoot, project), "--no-build",
                "--configuration", BuildSettings.Configuration, "--output", folder);
        return folder;
    }

    /// <summary>A new console project in a folder of its own whose Program.cs is <paramref name="program"/>, with the Kvpr package added.</summary>
    public string CreateConsoleProject(string name, string program)
    {
        Dotnet.Run(Root, Environment, "new", "console", "--output", name, "--name", name);
        string folder = Path.Combine(Root, name);
        Dotnet.Run(folder, Environment, "add", "package", "Kvpr", "--version", BuildSettings.PackageVersion);
        File.WriteAllText(Path.Combine(folder, "Program.cs"), program);
        return folder;
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}

[CollectionDefinition(Name)]
public sealed class LocalPackagesCollection : ICollectionFixture<LocalPackages>
{
    public const string Name = "Local packages";
}
