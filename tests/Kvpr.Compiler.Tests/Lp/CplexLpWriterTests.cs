using System;
using System.Linq;
using Kvpr.Lp;

namespace Kvpr.Compiler.Tests.Lp;

public class CplexLpWriterTests
{
    [Fact]
    public void Writes_sections_bounds_and_exact_numbers()
    {
        var lp = new LinearProgram("golden");
        var a = lp.AddVariable("a");
        var b = lp.AddVariable("b", double.NegativeInfinity);
        var c = lp.AddVariable("c", 2.5, 2.5);
        var d = lp.AddVariable("d", double.NegativeInfinity, 4);
        var e = lp.AddVariable("e", -1.5);
        var f = lp.AddVariable("f", 0, 0.1);
        lp.Add("cap", a + 2 * b - c <= 10);
        lp.Add("floor", 1.0 / 3 * d - e >= -2.5e17);
        lp.Add("balance", (a - f).EqualTo(0));
        lp.Maximize(a - 0.5 * b + 1e-300 * f + 7);

        CplexLpWriter.Write(lp).ShouldBe(
            """
            \* Problem: golden *\

            Maximize
             obj: + a - 0.5 b + 1E-300 f + 7 objective_constant

            Subject To
             cap: + a + 2 b - c <= 10
             floor: + 0.3333333333333333 d - _e >= -2.5E+17
             balance: + a - f = 0

            Bounds
             b free
             c = 2.5
             -inf <= d <= 4
             _e >= -1.5
             0 <= f <= 0.1
             objective_constant = 1

            End

            """.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Numbers_read_back_to_the_same_doubles()
    {
        double[] awkward = { 0.1, 1.0 / 3, Math.PI * 1e-20, 123456789.123456789, 5e-324, double.MaxValue };
        var lp = new LinearProgram();
        var x = lp.AddVariable("x");
        for (int i = 0; i < awkward.Length; i++)
            lp.Add($"r{i}", (LinearExpression)x <= awkward[i]);

        var rhs = CplexLpWriter.Write(lp).Split('\n').Where(l => l.Contains("<=")).Select(l => double.Parse(l.Split(' ').Last(), System.Globalization.CultureInfo.InvariantCulture));

        rhs.ShouldBe(awkward);
    }

    [Fact]
    public void Objective_constant_column_and_objective_row_names_do_not_collide_with_the_programs()
    {
        var lp = new LinearProgram();
        var x = lp.AddVariable("objective_constant");
        lp.Add("obj", (LinearExpression)x <= 1);
        lp.Minimize((LinearExpression)x + 3);

        string text = CplexLpWriter.Write(lp);

        text.ShouldContain(" obj: + objective_constant + 3 objective_constant_2\n");
        text.ShouldContain(" obj_2: + objective_constant <= 1\n");
        text.ShouldContain(" objective_constant_2 = 1\n");
    }

    [Fact]
    public void Long_rows_wrap_before_80_characters()
    {
        var lp = new LinearProgram();
        var variables = Enumerable.Range(0, 60).Select(j => lp.AddVariable($"tokens_of_layer_{j}")).ToArray();
        lp.Add("total", LinearExpression.Sum(variables.Select(v => 1.25 * v)) <= 100);
        lp.Maximize(LinearExpression.Sum(variables.Select(v => (LinearExpression)v)));

        var lines = CplexLpWriter.Write(lp).Split('\n');

        lines.ShouldAllBe(line => line.Length <= 80);
        lines.Count(line => line.StartsWith(" + 1.25 tokens_of_layer_", StringComparison.Ordinal)).ShouldBeGreaterThan(5);
    }

    [Fact]
    public void Rows_without_terms_and_programs_without_rows_or_variables_still_name_a_column()
    {
        var empty = new LinearProgram("empty");
        CplexLpWriter.Write(empty).ShouldContain(" obj: + 0 objective_constant\n");
        CplexLpWriter.Write(empty).ShouldContain(" no_rows: 0 objective_constant >= 0\n");

        var lp = new LinearProgram();
        var x = lp.AddVariable("x");
        lp.Add("constant", new LinearExpression(0) <= 5);
        lp.Minimize(new LinearExpression(0));
        CplexLpWriter.Write(lp).ShouldContain(" obj: 0 x\n");
        CplexLpWriter.Write(lp).ShouldContain(" constant: 0 x <= 5\n");
    }
}
