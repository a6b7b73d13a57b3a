using System;
using Kvpr.Lp;

namespace Kvpr.Compiler.Tests.Lp;

public class SimplexSolverTests
{
    [Fact]
    public void Solves_the_Wyndor_glass_example()
    {
        // Hillier & Lieberman, Introduction to Operations Research, §3.1: optimum 36 at (2, 6).
        var lp = new LinearProgram("wyndor");
        var doors = lp.AddVariable("doors");
        var windows = lp.AddVariable("windows");
        lp.Add("plant1", (LinearExpression)doors <= 4);
        lp.Add("plant2", 2 * windows <= 12);
        lp.Add("plant3", 3 * doors + 2 * windows <= 18);
        lp.Maximize(3 * doors + 5 * windows);

        var solution = SimplexSolver.Solve(lp);

        solution.Status.ShouldBe(LpStatus.Optimal);
        solution.ObjectiveValue.ShouldBe(36, 1e-9);
        solution[doors].ShouldBe(2, 1e-9);
        solution[windows].ShouldBe(6, 1e-9);
        solution.ShouldSatisfy(lp);
    }

    [Theory]
    [InlineData(BoundedSimplex.DefaultDegeneratePivotsBeforeBland)]
    [InlineData(0)]
    public void Solves_Beales_cycling_example(int degeneratePivotsBeforeBland)
    {
        // Beale (1955): the largest-coefficient rule with lowest-index ties cycles through six degenerate bases.
        // Optimum −1/20 at x4 = 1/25, x6 = 1.
        var lp = new LinearProgram("beale");
        var x4 = lp.AddVariable("x4");
        var x5 = lp.AddVariable("x5");
        var x6 = lp.AddVariable("x6");
        var x7 = lp.AddVariable("x7");
        lp.Add("r1", 0.25 * x4 - 60 * x5 - 0.04 * x6 + 9 * x7 <= 0);
        lp.Add("r2", 0.5 * x4 - 90 * x5 - 0.02 * x6 + 3 * x7 <= 0);
        lp.Add("r3", (LinearExpression)x6 <= 1);
        lp.Minimize(-0.75 * x4 + 150 * x5 - 0.02 * x6 + 6 * x7);

        var solution = SimplexSolver.Solve(lp, degeneratePivotsBeforeBland);

        solution.Status.ShouldBe(LpStatus.Optimal);
        solution.ObjectiveValue.ShouldBe(-0.05, 1e-12);
        solution[x4].ShouldBe(0.04, 1e-12);
        solution[x6].ShouldBe(1, 1e-12);
        solution.ShouldSatisfy(lp);
    }

    [Fact]
    public void Reports_contradictory_rows_as_infeasible()
    {
        var lp = new LinearProgram();
        var x = lp.AddVariable("x");
        var y = lp.AddVariable("y");
        lp.Add("atMostOne", x + y <= 1);
        lp.Add("atLeastTwo", x + y >= 2);
        lp.Minimize(x);

        var solution = SimplexSolver.Solve(lp);

        solution.Status.ShouldBe(LpStatus.Infeasible);
        solution.Values.ShouldBeEmpty();
    }

    [Fact]
    public void Reports_a_row_that_its_bounds_cannot_reach_as_infeasible()
    {
        var lp = new LinearProgram();
        var x = lp.AddVariable("x", -1, 1);
        var y = lp.AddVariable("y", double.NegativeInfinity, 2);
        lp.Add("tooLarge", x + y >= 3.5);
        lp.Maximize(x);

        SimplexSolver.Solve(lp).Status.ShouldBe(LpStatus.Infeasible);
    }

    [Theory]
    [InlineData(OptimizationDirection.Maximize, double.PositiveInfinity)]
    [InlineData(OptimizationDirection.Minimize, double.NegativeInfinity)]
    public void Reports_an_objective_without_limit_as_unbounded(OptimizationDirection direction, double objective)
    {
        var lp = new LinearProgram();
        var x = lp.AddVariable("x", double.NegativeInfinity);
        var y = lp.AddVariable("y");
        lp.Add("wedge", x - y <= 1);
        lp.Add("floor", x + y >= -4);
        if (direction == OptimizationDirection.Maximize)
            lp.Maximize(x + 2 * y);
        else
            lp.Minimize(x - 3 * y);

        var solution = SimplexSolver.Solve(lp);

        solution.Status.ShouldBe(LpStatus.Unbounded);
        solution.ObjectiveValue.ShouldBe(objective);
    }

    [Fact]
    public void Equalities_that_determine_the_point_give_that_point()
    {
        // x + 2y = 4 and 3x + y = 7 meet only at (2, 1).
        var lp = new LinearProgram();
        var x = lp.AddVariable("x");
        var y = lp.AddVariable("y");
        var z = lp.AddVariable("z");
        lp.Add("first", (x + 2 * y).EqualTo(4));
        lp.Add("second", (3 * x + y).EqualTo(7));
        lp.Add("third", (x + y + z).EqualTo(10));
        lp.Minimize(x + y + 0.5 * z);

        var solution = SimplexSolver.Solve(lp);

        solution.Status.ShouldBe(LpStatus.Optimal);
        solution[x].ShouldBe(2, 1e-9);
        solution[y].ShouldBe(1, 1e-9);
        solution[z].ShouldBe(7, 1e-9);
        solution.ObjectiveValue.ShouldBe(6.5, 1e-9);
    }

    [Fact]
    public void Free_and_negatively_bounded_variables_take_negative_values()
    {
        // x ≥ −3 − y makes the objective x + 2y ≥ y − 3, least at y = −5, x = 2.
        var lp = new LinearProgram();
        var x = lp.AddVariable("x", double.NegativeInfinity, double.PositiveInfinity);
        var y = lp.AddVariable("y", -5, 10);
        lp.Add("sum", x + y >= -3);
        lp.Minimize(x + 2 * y);

        var solution = SimplexSolver.Solve(lp);

        solution.Status.ShouldBe(LpStatus.Optimal);
        solution[x].ShouldBe(2, 1e-9);
        solution[y].ShouldBe(-5, 1e-9);
        solution.ObjectiveValue.ShouldBe(-8, 1e-9);
    }

    [Fact]
    public void A_free_variable_follows_a_row_below_zero()
    {
        var lp = new LinearProgram();
        var x = lp.AddVariable("x", double.NegativeInfinity);
        var y = lp.AddVariable("y", double.NegativeInfinity, -2);
        lp.Add("below", x - y <= -7);
        lp.Maximize(x + y);

        var solution = SimplexSolver.Solve(lp);

        solution.Status.ShouldBe(LpStatus.Optimal);
        solution[x].ShouldBe(-9, 1e-9);
        solution[y].ShouldBe(-2, 1e-9);
        solution.ObjectiveValue.ShouldBe(-11, 1e-9);
    }

    [Fact]
    public void Upper_bounds_bind_before_the_rows_do()
    {
        // x + y ≤ 7 binds after x reaches its upper bound 4: (4, 3) with value 11.
        var lp = new LinearProgram();
        var x = lp.AddVariable("x", 0, 4);
        var y = lp.AddVariable("y", 0, 5);
        var z = lp.AddVariable("z", 1, 2);
        lp.Add("capacity", x + y <= 7);
        lp.Add("loose", x + y + z <= 100);
        lp.Maximize(2 * x + y + z);

        var solution = SimplexSolver.Solve(lp);

        solution.Status.ShouldBe(LpStatus.Optimal);
        solution[x].ShouldBe(4, 1e-9);
        solution[y].ShouldBe(3, 1e-9);
        solution[z].ShouldBe(2, 1e-9);
        solution.ObjectiveValue.ShouldBe(13, 1e-9);
    }

    [Fact]
    public void Without_rows_each_variable_goes_to_its_better_bound_and_the_constant_counts()
    {
        var lp = new LinearProgram();
        var x = lp.AddVariable("x", 1, 5);
        var y = lp.AddVariable("y", -2, 4);
        var z = lp.AddVariable("z", -1, -1);
        var idle = lp.AddVariable("idle", double.NegativeInfinity);
        lp.Minimize(3 * x - 2 * y + z + 7);

        var solution = SimplexSolver.Solve(lp);

        solution.Status.ShouldBe(LpStatus.Optimal);
        solution[x].ShouldBe(1);
        solution[y].ShouldBe(4);
        solution[z].ShouldBe(-1);
        double.IsFinite(solution[idle]).ShouldBeTrue();
        solution.ObjectiveValue.ShouldBe(1, 1e-12);
    }

    [Fact]
    public void Without_rows_a_free_variable_with_a_cost_is_unbounded()
    {
        var lp = new LinearProgram();
        var x = lp.AddVariable("x", double.NegativeInfinity);
        lp.Minimize(x);

        SimplexSolver.Solve(lp).Status.ShouldBe(LpStatus.Unbounded);
    }

    [Fact]
    public void A_redundant_equality_row_is_harmless()
    {
        var lp = new LinearProgram();
        var x = lp.AddVariable("x");
        var y = lp.AddVariable("y");
        var z = lp.AddVariable("z", 0, 3);
        lp.Add("total", (x + y).EqualTo(2));
        lp.Add("twiceTotal", (2 * x + 2 * y).EqualTo(4));
        lp.Add("withZ", (x + y + z).EqualTo(3));
        lp.Minimize(x - y + z);

        var solution = SimplexSolver.Solve(lp);

        solution.Status.ShouldBe(LpStatus.Optimal);
        solution[x].ShouldBe(0, 1e-9);
        solution[y].ShouldBe(2, 1e-9);
        solution[z].ShouldBe(1, 1e-9);
        solution.ObjectiveValue.ShouldBe(-1, 1e-9);
        solution.ShouldSatisfy(lp);
    }

    [Fact]
    public void Fixed_variables_keep_their_value()
    {
        var lp = new LinearProgram();
        var x = lp.AddVariable("x", 2.5, 2.5);
        var y = lp.AddVariable("y", double.NegativeInfinity);
        lp.Add("above", y - x >= 1);
        lp.Minimize(y - 10 * x);

        var solution = SimplexSolver.Solve(lp);

        solution.Status.ShouldBe(LpStatus.Optimal);
        solution[x].ShouldBe(2.5);
        solution[y].ShouldBe(3.5, 1e-9);
        solution.ObjectiveValue.ShouldBe(-21.5, 1e-9);
    }

    [Theory]
    [InlineData(ConstraintSense.LessOrEqual, 5, LpStatus.Optimal)]
    [InlineData(ConstraintSense.GreaterOrEqual, 1, LpStatus.Infeasible)]
    [InlineData(ConstraintSense.Equal, 0, LpStatus.Optimal)]
    public void A_row_without_variables_is_checked_against_its_constant(ConstraintSense sense, double rhs, LpStatus status)
    {
        var lp = new LinearProgram();
        var x = lp.AddVariable("x", 0, 1);
        var empty = new LinearExpression(0);
        lp.Add("constant", sense == ConstraintSense.LessOrEqual ? empty <= rhs
            : sense == ConstraintSense.GreaterOrEqual ? empty >= rhs : empty.EqualTo(rhs));
        lp.Maximize(x);

        SimplexSolver.Solve(lp).Status.ShouldBe(status);
    }

    [Fact]
    public void Coefficients_twenty_orders_of_magnitude_apart_solve_exactly()
    {
        // A step time bounded by a 4 GB transfer at 1.8e-11 s/B and by 50 ms plus 1e-12 s/B: max(0.072, 0.054).
        var lp = new LinearProgram();
        var time = lp.AddVariable("time");
        var bytes = lp.AddVariable("bytes", 4e9);
        lp.Add("transfer", time >= 1.8e-11 * bytes);
        lp.Add("compute", time >= 0.05 + 1e-12 * bytes);
        lp.Minimize(time + 1e-15 * bytes);

        var solution = SimplexSolver.Solve(lp);

        solution.Status.ShouldBe(LpStatus.Optimal);
        solution[bytes].ShouldBe(4e9, 1e-3);
        solution[time].ShouldBe(0.072, 1e-15);
        solution.ShouldSatisfy(lp);
    }

    [Fact]
    public void Rejects_a_variable_of_another_program_naming_the_row()
    {
        var other = new LinearProgram("other");
        other.AddVariable("a");
        var foreign = other.AddVariable("b");
        var lp = new LinearProgram("mine");
        var x = lp.AddVariable("x");
        lp.Add("mixed", x + foreign <= 1);
        lp.Minimize(x);

        var error = Should.Throw<ArgumentException>(() => SimplexSolver.Solve(lp));

        error.Message.ShouldContain("'mixed'");
        error.Message.ShouldContain("'mine'");
    }
}
