using System.IO;
using Kvpr.Package.Tests.Infrastructure;

namespace Kvpr.Package.Tests;

/// <summary>The Kvpr.Cli package installed as a .NET tool gives the kvpr command.</summary>
[Collection(LocalPackagesCollection.Name)]
public class ToolTests(LocalPackages packages)
{
    [Fact]
    public void The_installed_kvpr_command_prints_its_help_and_plans_OPT_6_7B()
    {
        string toolPath = Path.Combine(packages.Root, "tools");
        Dotnet.Run(packages.Root, packages.Environment, "tool", "install", "Kvpr.Cli", "--tool-path", toolPath, "--version", BuildSettings.PackageVersion);
        string kvpr = Path.Combine(toolPath, "kvpr");

        string help = Dotnet.Execute(kvpr, packages.Root, packages.Environment, "--help");
        foreach (string command in new[] { "plan", "run", "profile", "selftest", "bench" })
            help.ShouldContain($"\n  {command} ");

        string plan = Dotnet.Execute(kvpr, packages.Root, packages.Environment, "plan", "--model", "opt-6.7b", "--batch", "32", "--prompt", "1024", "--new-tokens", "32");
        plan.ShouldStartWith("Plan for opt-6.7b on profile h100-sxm-pcie5");
        // One line per decode step: s' from the prompt length to the last new token's.
        plan.ShouldContain("\n1024 ");
        plan.ShouldContain("\n1055 ");
        plan.ShouldNotContain("\n1056 ");
    }
}
