using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace Kvpr.Lp
{
    /// <summary>
    /// Turns arbitrary names into distinct names that CPLEX LP readers (CPLEX, GLPK, HiGHS) accept: letters,
    /// digits and the format's punctuation only, not starting with a digit or period, not a keyword of the
    /// format, not readable as an exponent, at most 255 characters.
    /// </summary>
    internal static class CplexLpNames
    {
        private const int MaxLength = 255;
        private const string AllowedPunctuation = "!\"#$%&()/,.;?@_`'{}|~";

        private static readonly HashSet<string> Keywords = new(StringComparer.OrdinalIgnoreCase)
        {
            "min", "minimize", "minimise", "minimum", "max", "maximize", "maximise", "maximum",
            "st", "s.t.", "st.", "subject", "such", "bound", "bounds", "free", "inf", "infinity",
            "gen", "general", "generals", "int", "integer", "integers", "bin", "binary", "binaries",
            "semi", "semis", "semi-continuous", "sos", "end",
        };

        /// <summary>
        /// One valid name per input, in order, all distinct from each other and from <paramref name="taken"/>;
        /// an empty name becomes <paramref name="fallbackPrefix"/> followed by its position (from 1).
        /// </summary>
        public static IReadOnlyList<string> MakeUnique(IEnumerable<string> names, string fallbackPrefix, IEnumerable<string> taken)
        {
            var used = new HashSet<string>(taken, StringComparer.Ordinal);
            var result = new List<string>();
            foreach (string name in names)
            {
                string valid = Sanitize(name.Length > 0 ? name : fallbackPrefix + (result.Count + 1));
                string unique = valid;
                for (int suffix = 2; !used.Add(unique); suffix++)
                {
                    string tail = "_" + suffix;
                    unique = valid.Substring(0, Math.Min(valid.Length, MaxLength - tail.Length)) + tail;
                }
                result.Add(unique);
            }
            return result;
        }

        private static string Sanitize(string name)
        {
            var valid = new StringBuilder(name.Length + 1);
            foreach (char c in name)
                valid.Append(c < 128 && (char.IsLetterOrDigit(c) || AllowedPunctuation.IndexOf(c) >= 0) ? c : '_');
            if (char.IsDigit(valid[0]) || valid[0] == '.' || Keywords.Contains(valid.ToString()) || ReadsAsExponent(valid))
                valid.Insert(0, '_');
            return valid.Length > MaxLength ? valid.ToString(0, MaxLength) : valid.ToString();
        }

        /// <summary>"e", "E12": after a coefficient these read as the exponent of a number.</summary>
        private static bool ReadsAsExponent(StringBuilder name) =>
            (name[0] == 'e' || name[0] == 'E') && name.ToString().Skip(1).All(char.IsDigit);
    }
}
