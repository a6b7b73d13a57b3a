using System;
using System.Collections.Generic;
using System.Linq;
using Kvpr.Lp;

namespace Kvpr.Compiler.Tests.Lp;

/// <summary>The writer's awkward cases, read by glpsol, must mean what the program means: known optima.</summary>
public class CplexLpWriterGlpsolTests
{
    private static readonly Dictionary<string, (Func<LinearProgram> Build, LpStatus Status, double Objective)> Cases = new()
    {
        ["no variables, no rows, a constant objective"] = (() =>
        {
            var lp = new LinearProgram("constant");
            lp.Minimize(new LinearExpression(4));
            return lp;
        }, LpStatus.Optimal, 4),

        ["bounds only"] = (() =>
        {
            var lp = new LinearProgram("bounds");
            var x = lp.AddVariable("x", 1, 5);
            var y = lp.AddVariable("y", -2, 4);
            var z = lp.AddVariable("z", -1, -1);
            lp.Minimize(3 * x - 2 * y + z + 7);
            return lp;
        }, LpStatus.Optimal, 1),

        ["a row without variables that holds"] = (() =>
        {
            var lp = new LinearProgram();
            var x = lp.AddVariable("x", 0, 1);
            lp.Add("holds", new LinearExpression(0) <= 5);
            lp.Maximize((LinearExpression)x + 2);
            return lp;
        }, LpStatus.Optimal, 3),

        ["a row without variables that fails"] = (() =>
        {
            var lp = new LinearProgram();
            var x = lp.AddVariable("x", 0, 1);
            lp.Add("fails", new LinearExpression(0) >= 1);
            lp.Maximize(x);
            return lp;
        }, LpStatus.Infeasible, double.NaN),

        ["names that need sanitising"] = (() =>
        {
            // The Wyndor glass example (optimum 36) under names the format rejects or misreads.
            var lp = new LinearProgram("wyndor glass");
            var doors = lp.AddVariable("free");
            var windows = lp.AddVariable("2 windows");
            var unused = lp.AddVariable("free", 0, 1);
            lp.Add("st", (LinearExpression)doors <= 4);
            lp.Add("e1", 2 * windows <= 12);
            lp.Add("st", 3 * doors + 2 * windows + 0 * unused <= 18);
            lp.Maximize(3 * doors + 5 * windows);
            return lp;
        }, LpStatus.Optimal, 36),

        ["rows wider than a line"] = (() =>
        {
            var lp = new LinearProgram("wide");
            var variables = Enumerable.Range(0, 60).Select(j => lp.AddVariable($"tokens_of_layer_{j}", 0, 1)).ToArray();
            lp.Add("total", LinearExpression.Sum(variables.Select(v => 1.25 * v)) <= 50);
            lp.Maximize(LinearExpression.Sum(variables.Select(v => (LinearExpression)v)));
            return lp;
        }, LpStatus.Optimal, 40),

        ["every kind of bound"] = (() =>
        {
            // a = f ≤ 0.1, b ≥ −4 from its bound, c fixed, d ≤ 4 from its bound, e ≥ −1.5: max a − b + d − e + 7.
            var lp = new LinearProgram("bounds");
            var a = lp.AddVariable("a");
            var b = lp.AddVariable("b", double.NegativeInfinity);
            var c = lp.AddVariable("c", 2.5, 2.5);
            var d = lp.AddVariable("d", double.NegativeInfinity, 4);
            var e = lp.AddVariable("e", -1.5);
            var f = lp.AddVariable("f", 0, 0.1);
            lp.Add("bFloor", b + c >= -1.5);
            lp.Add("balance", (a - f).EqualTo(0));
            lp.Maximize(a - b + d - e + 7);
            return lp;
        }, LpStatus.Optimal, 0.1 + 4 + 4 + 1.5 + 7),

        ["a free variable that runs away"] = (() =>
        {
            var lp = new LinearProgram("runaway");
            var x = lp.AddVariable("x", double.NegativeInfinity);
            var y = lp.AddVariable("y");
            lp.Add("wedge", x - y <= 1);
            lp.Minimize(x - 3 * y);
            return lp;
        }, LpStatus.Unbounded, double.NaN),
    };

    public static IEnumerable<object[]> CaseNames => Cases.Keys.Select(name => new object[] { name });

    [GlpsolTheory]
    [MemberData(nameof(CaseNames))]
    public void Glpsol_reads_the_program_we_wrote(string caseName)
    {
        var (build, status, objective) = Cases[caseName];
        string text = CplexLpWriter.Write(build());

        var verdict = Glpsol.Solve(text);

        verdict.Status.ShouldBe(status, text);
        if (status == LpStatus.Optimal)
            verdict.Objective.ShouldBe(objective, 1e-9 * Math.Max(1, Math.Abs(objective)), text);
    }
}
