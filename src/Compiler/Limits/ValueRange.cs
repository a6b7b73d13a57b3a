using System;
using System.Globalization;

namespace Kvpr
{
    /// <summary>
    /// The closed interval of values a quantity may physically take. Every number read from a user (a profile, a
    /// config, an attribute) is checked against one before anything computes with it, so sizes cannot overflow and
    /// the planner never prices a value that is off by orders of magnitude.
    /// </summary>
    public sealed record ValueRange(double Min, double Max, string Unit = "")
    {
        /// <summary>False for NaN and for anything outside [Min, Max].</summary>
        public bool Contains(double value) => value >= Min && value <= Max;

        /// <summary>"[1, 1,024]" or "[0.001, 100,000] GB/s", as messages quote it.</summary>
        public override string ToString() => $"[{Format(Min)}, {Format(Max)}]" + (Unit.Length > 0 ? " " + Unit : "");

        /// <summary>Integers with digit grouping, fractions as written, NaN and infinities by name.</summary>
        public static string Format(double value) =>
            value == Math.Floor(value) && Math.Abs(value) < 1e16
                ? value.ToString("N0", CultureInfo.InvariantCulture)
                : value.ToString("R", CultureInfo.InvariantCulture);
    }
}
