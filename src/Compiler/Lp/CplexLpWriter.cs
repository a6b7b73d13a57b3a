using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace Kvpr.Lp
{
    /// <summary>
    /// Writes a <see cref="LinearProgram"/> as CPLEX LP text, the format <c>glpsol --lp</c>, CPLEX and HiGHS
    /// read, so that an external solver can check ours or a person can read the plan's LP. Names are made
    /// valid and distinct (<see cref="CplexLpNames"/>); numbers are written so that they read back exactly.
    /// Two things GLPK's reader lacks are expressed in plain LP: an objective constant becomes a column fixed
    /// at 1 whose cost is the constant, and a program without rows gets one row that every point satisfies.
    /// </summary>
    public static class CplexLpWriter
    {
        private const int LineWidth = 80;
        private const string ObjectiveName = "obj";

        public static string Write(LinearProgram program)
        {
            if (program is null)
                throw new ArgumentNullException(nameof(program));
            var variableNames = program.Variables.Select(v => v.Name).ToList();
            bool hasConstantColumn = program.Objective.Constant != 0 || variableNames.Count == 0;
            var columns = CplexLpNames.MakeUnique(
                hasConstantColumn ? variableNames.Concat(new[] { "objective_constant" }) : variableNames, "x", Array.Empty<string>());
            var rowNames = program.Constraints.Select(c => c.Name).ToList();
            var rows = CplexLpNames.MakeUnique(rowNames.Count > 0 ? rowNames : new List<string> { "no_rows" }, "r", new[] { ObjectiveName });

            var text = new StringBuilder();
            text.Append("\\* Problem: ").Append(CommentText(program.Name)).Append(" *\\\n\n");
            text.Append(program.Direction == OptimizationDirection.Maximize ? "Maximize\n" : "Minimize\n");
            var objective = Terms(program.Objective, columns);
            if (hasConstantColumn)
                objective.Add(new KeyValuePair<string, double>(columns[columns.Count - 1], program.Objective.Constant));
            AppendRow(text, ObjectiveName, objective, columns[0], "");

            text.Append("\nSubject To\n");
            for (int i = 0; i < program.Constraints.Count; i++)
            {
                var constraint = program.Constraints[i];
                AppendRow(text, rows[i], Terms(constraint.Lhs, columns), columns[0], $" {Relation(constraint.Sense)} {Number(constraint.Rhs)}");
            }
            if (program.Constraints.Count == 0)
            {
                text.Append("\\ GLPK needs a row; this one holds everywhere.\n");
                AppendRow(text, rows[0], new List<KeyValuePair<string, double>>(), columns[0], " >= 0");
            }

            text.Append("\nBounds\n");
            for (int j = 0; j < program.Variables.Count; j++)
                AppendBounds(text, columns[j], program.Variables[j]);
            if (hasConstantColumn)
                text.Append(' ').Append(columns[columns.Count - 1]).Append(" = 1\n");
            text.Append("\nEnd\n");
            return text.ToString();
        }

        private static List<KeyValuePair<string, double>> Terms(LinearExpression expression, IReadOnlyList<string> columns) =>
            expression.Terms.Select(t => new KeyValuePair<string, double>(columns[t.Key], t.Value)).ToList();

        /// <summary>
        /// " name: + 3 x - 0.5 y ... tail", wrapped before a term that would pass the line width; a row without
        /// terms names <paramref name="placeholderColumn"/> with coefficient 0, because the format needs a column.
        /// </summary>
        private static void AppendRow(StringBuilder text, string name, List<KeyValuePair<string, double>> terms,
            string placeholderColumn, string tail)
        {
            int lineStart = text.Length;
            text.Append(' ').Append(name).Append(':');
            if (terms.Count == 0)
                text.Append(" 0 ").Append(placeholderColumn);
            foreach (var term in terms)
            {
                string coefficient = Math.Abs(term.Value) == 1 ? "" : Number(Math.Abs(term.Value)) + " ";
                string written = (term.Value < 0 ? " - " : " + ") + coefficient + term.Key;
                if (text.Length - lineStart + written.Length > LineWidth && text.Length - lineStart > name.Length + 2)
                {
                    text.Append('\n');
                    lineStart = text.Length;
                }
                text.Append(written);
            }
            text.Append(tail).Append('\n');
        }

        /// <summary>Nothing for the format's default [0, +inf); otherwise the bounds spelled out in full.</summary>
        private static void AppendBounds(StringBuilder text, string column, Variable variable)
        {
            double lower = variable.Lower, upper = variable.Upper;
            if (lower == 0 && double.IsPositiveInfinity(upper))
                return;
            text.Append(' ');
            if (lower == upper)
                text.Append(column).Append(" = ").Append(Number(lower));
            else if (double.IsPositiveInfinity(upper))
                text.Append(column).Append(double.IsNegativeInfinity(lower) ? " free" : " >= " + Number(lower));
            else
                text.Append(double.IsNegativeInfinity(lower) ? "-inf" : Number(lower)).Append(" <= ").Append(column).Append(" <= ").Append(Number(upper));
            text.Append('\n');
        }

        private static string Relation(ConstraintSense sense) =>
            sense == ConstraintSense.LessOrEqual ? "<=" : sense == ConstraintSense.GreaterOrEqual ? ">=" : "=";

        /// <summary>Shortest text that parses back to the same double; never "-0".</summary>
        private static string Number(double value) => (value == 0 ? 0.0 : value).ToString("R", CultureInfo.InvariantCulture);

        /// <summary>The name without anything that would end the comment or the line.</summary>
        private static string CommentText(string name) =>
            new string(name.Select(c => c == '\\' || char.IsControl(c) ? '_' : c).ToArray());
    }
}
