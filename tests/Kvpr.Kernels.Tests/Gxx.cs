using System;
using System.Diagnostics;
using System.IO;
using System.Linq;

namespace Kvpr.Kernels.Tests;

/// <summary>The host's g++ (and the programs it builds), for the tests that compile emitted CUDA C++ without CUDA.</summary>
internal static class Gxx
{
    public static bool IsInstalled { get; } = (Environment.GetEnvironmentVariable("PATH") ?? "")
        .Split(Path.PathSeparator)
        .Any(dir => File.Exists(Path.Combine(dir, "g++")));

    public static (int ExitCode, string Output) Run(string arguments) => RunProgram("g++", arguments);

    /// <summary>Runs a program to its end: its exit code, and its standard error followed by its standard output.</summary>
    public static (int ExitCode, string Output) RunProgram(string program, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, error.Result + output);
    }
}

/// <summary>A theory that is skipped, saying why, when g++ is not on the PATH.</summary>
internal sealed class GxxTheoryAttribute : TheoryAttribute
{
    public GxxTheoryAttribute()
    {
        if (!Gxx.IsInstalled)
            Skip = "g++ is not installed";
    }
}
