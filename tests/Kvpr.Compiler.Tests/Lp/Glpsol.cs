using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Kvpr.Lp;

namespace Kvpr.Compiler.Tests.Lp;

/// <summary>What GLPK concluded about a program.</summary>
internal sealed record GlpsolResult(LpStatus Status, double Objective);

/// <summary>
/// Runs GLPK's <c>glpsol</c> on CPLEX LP text: the independent solver that ours is checked against.
/// Presolve is off so that GLPK reports infeasible and unbounded programs as such rather than "undefined".
/// </summary>
internal static class Glpsol
{
    public const string MissingReason = "glpsol is not on PATH; install GLPK (apt-get install glpk-utils) to cross-check the LP solver.";

    public static string? Executable { get; } = FindOnPath();

    public static GlpsolResult Solve(string cplexLp)
    {
        string executable = Executable ?? throw new InvalidOperationException("glpsol is not on PATH.");
        var directory = Directory.CreateTempSubdirectory("kvpr-glpsol-");
        try
        {
            string program = Path.Combine(directory.FullName, "program.lp");
            string solution = Path.Combine(directory.FullName, "solution.txt");
            File.WriteAllText(program, cplexLp);
            var start = new ProcessStartInfo(executable, new[] { "--nopresol", "--lp", program, "-w", solution })
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            using var process = Process.Start(start)!;
            var errors = process.StandardError.ReadToEndAsync();
            string log = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0 || !File.Exists(solution))
                throw new InvalidOperationException($"glpsol exited with {process.ExitCode}:\n{log}{errors.Result}\nfor:\n{cplexLp}");
            return ParseSolution(File.ReadAllLines(solution));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    /// <summary>
    /// The solution line of GLPK's plain format, "s bas ROWS COLUMNS PRIMAL DUAL OBJECTIVE", where a status is
    /// f (feasible), n (no feasible solution exists), i (infeasible) or u (undefined).
    /// </summary>
    private static GlpsolResult ParseSolution(string[] lines)
    {
        string[] fields = lines.Single(l => l.StartsWith("s bas ", StringComparison.Ordinal)).Split(' ');
        string primal = fields[4], dual = fields[5];
        double objective = double.Parse(fields[6], System.Globalization.CultureInfo.InvariantCulture);
        return (primal, dual) switch
        {
            ("n", _) => new GlpsolResult(LpStatus.Infeasible, double.NaN),
            ("f", "n") => new GlpsolResult(LpStatus.Unbounded, double.NaN),
            ("f", "f") => new GlpsolResult(LpStatus.Optimal, objective),
            _ => throw new InvalidOperationException($"glpsol ended with primal status '{primal}' and dual status '{dual}'."),
        };
    }

    private static string? FindOnPath() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, OperatingSystem.IsWindows() ? "glpsol.exe" : "glpsol"))
            .FirstOrDefault(File.Exists);
}
