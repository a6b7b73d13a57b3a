using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text;

namespace Kvpr.Package.Tests.Infrastructure;

/// <summary>Runs the dotnet CLI (or a program it installed) in a folder and returns what it printed.</summary>
internal static class Dotnet
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    /// <summary>The dotnet that runs these tests, so that the packages are built and consumed by the same SDK.</summary>
    public static string HostPath { get; } = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    /// <summary>Runs dotnet with <paramref name="arguments"/>; fails the test with the whole output when it exits with an error.</summary>
    public static string Run(string workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] arguments) =>
        Execute(HostPath, workingDirectory, environment, arguments);

    /// <summary>Runs <paramref name="program"/>; fails the test with the whole output when it exits with an error.</summary>
    public static string Execute(string program, string workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);
        // Build servers and reused MSBuild nodes would outlive the command and keep its output pipes open.
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        start.Environment["UseSharedCompilation"] = "false";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        // An apphost (the installed kvpr) finds the runtime of the dotnet running the tests.
        if (Path.IsPathRooted(HostPath))
            start.Environment["DOTNET_ROOT"] = Path.GetDirectoryName(HostPath);
        foreach (var (name, value) in environment)
            start.Environment[name] = value;

        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        string command = $"{Path.GetFileName(program)} {string.Join(" ", arguments)}";
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{command}' in {workingDirectory} did not finish in {Timeout.TotalMinutes} minutes:\n{output}");
        }
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"'{command}' in {workingDirectory} exited with {process.ExitCode}:\n{output}");
        lock (output)
            return output.ToString();
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
            return;
        lock (output)
            output.AppendLine(line);
    }
}
