using System;
using System.Linq;
using Kvpr.Lp;

namespace Kvpr.Compiler.Tests.Lp;

/// <summary>
/// Small seeded linear programs with every kind of bound and row sense, often degenerate (zero right-hand
/// sides, small integer data) and sometimes infeasible or unbounded. Coefficients are multiples of 1/4, so
/// the data is exact in binary and both solvers see the same program.
/// </summary>
internal static class RandomPrograms
{
    public static LinearProgram Create(int seed)
    {
        var random = new Random(seed);
        var lp = new LinearProgram($"random{seed}");
        var variables = Enumerable.Range(0, random.Next(1, 9)).Select(j => AddVariable(lp, random, $"x{j}")).ToArray();

        // Most programs get rows that a point within the bounds satisfies, often tightly.
        var witness = random.NextDouble() < 0.75 ? variables.Select(v => PointWithin(v, random)).ToArray() : null;
        int rows = random.Next(0, 9);
        for (int i = 0; i < rows; i++)
        {
            var lhs = LinearExpression.Sum(variables.Where(_ => random.NextDouble() < 0.6).Select(v => Coefficient(random) * v));
            int draw = random.Next(5);
            var sense = draw < 2 ? ConstraintSense.LessOrEqual : draw < 4 ? ConstraintSense.GreaterOrEqual : ConstraintSense.Equal;
            double rhs = witness is null ? random.Next(-10, 11)
                : lhs.Evaluate(witness) + SlackSign(sense) * random.Next(0, 3);
            lp.Add($"row{i}", Row(lhs, sense, rhs));
        }

        var objective = LinearExpression.Sum(variables.Where(_ => random.NextDouble() < 0.8).Select(v => Coefficient(random) * v));
        double constant = random.NextDouble() < 0.3 ? random.Next(-20, 21) : 0;
        if (random.Next(2) == 0)
            lp.Maximize(objective + constant);
        else
            lp.Minimize(objective + constant);
        return lp;
    }

    /// <summary>
    /// The same program with each row multiplied by its own power of ten between 1e-6 and 1e6 and the objective
    /// by another: the same solutions, written in numbers spanning twelve orders of magnitude.
    /// </summary>
    public static LinearProgram BadlyScaled(LinearProgram program, int seed, out double objectiveFactor)
    {
        var random = new Random(seed);
        var scaled = new LinearProgram(program.Name + "-badly-scaled");
        var variables = program.Variables.Select(v => scaled.AddVariable(v.Name, v.Lower, v.Upper)).ToArray();
        LinearExpression Copy(LinearExpression e) => LinearExpression.Sum(e.Terms.Select(t => t.Value * variables[t.Key])) + e.Constant;

        foreach (var row in program.Constraints)
        {
            double factor = PowerOfTen(random);
            scaled.Add(row.Name, Row(factor * Copy(row.Lhs), row.Sense, factor * row.Rhs));
        }
        objectiveFactor = PowerOfTen(random);
        if (program.Direction == OptimizationDirection.Maximize)
            scaled.Maximize(objectiveFactor * Copy(program.Objective));
        else
            scaled.Minimize(objectiveFactor * Copy(program.Objective));
        return scaled;
    }

    private static LinearConstraint Row(LinearExpression lhs, ConstraintSense sense, double rhs) => sense switch
    {
        ConstraintSense.LessOrEqual => lhs <= rhs,
        ConstraintSense.GreaterOrEqual => lhs >= rhs,
        _ => lhs.EqualTo(rhs),
    };

    /// <summary>Which way a row's right-hand side may sit from its value at a point that satisfies it.</summary>
    private static double SlackSign(ConstraintSense sense) =>
        sense == ConstraintSense.LessOrEqual ? 1 : sense == ConstraintSense.GreaterOrEqual ? -1 : 0;

    private static double PowerOfTen(Random random) => Math.Pow(10, random.Next(-6, 7));

    private static Variable AddVariable(LinearProgram lp, Random random, string name)
    {
        int bound = random.Next(-5, 6);
        return random.Next(10) switch
        {
            < 4 => lp.AddVariable(name),
            4 => lp.AddVariable(name, double.NegativeInfinity),
            5 => lp.AddVariable(name, bound, bound + random.Next(1, 8)),
            6 => lp.AddVariable(name, double.NegativeInfinity, bound),
            7 => lp.AddVariable(name, bound),
            8 => lp.AddVariable(name, bound, bound),
            _ => lp.AddVariable(name, 0, random.Next(1, 7)),
        };
    }

    private static double PointWithin(Variable variable, Random random)
    {
        double lower = double.IsInfinity(variable.Lower) ? Math.Min(variable.Upper, 0) - 5 : variable.Lower;
        double upper = double.IsInfinity(variable.Upper) ? Math.Max(lower, 0) + 5 : variable.Upper;
        return random.Next((int)lower, (int)upper + 1);
    }

    private static double Coefficient(Random random)
    {
        int magnitude = random.Next(1, 6) * (random.Next(2) == 0 ? 1 : -1);
        return random.NextDouble() < 0.2 ? magnitude / 4.0 : magnitude;
    }
}
