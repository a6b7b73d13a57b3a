using System;
using System.Collections.Generic;
using System.Linq;

namespace Kvpr.Lp
{
    /// <summary>
    /// Σ coefficient·variable + constant, built with ordinary operators so that a formulation reads like
    /// its mathematics: <c>lp.Add("link", stepTime &gt;= a * lambda + e * kvTokens)</c>.
    /// </summary>
    public sealed class LinearExpression
    {
        private readonly SortedDictionary<int, double> _terms;

        private LinearExpression(SortedDictionary<int, double> terms, double constant)
        {
            _terms = terms;
            Constant = constant;
        }

        public LinearExpression(double constant = 0) : this(new SortedDictionary<int, double>(), constant) { }

        public double Constant { get; }

        /// <summary>Coefficients by variable index, in index order, without zeros.</summary>
        public IEnumerable<KeyValuePair<int, double>> Terms => _terms.Where(t => t.Value != 0);

        public double CoefficientOf(Variable variable) => _terms.TryGetValue(variable.Index, out double c) ? c : 0;

        /// <summary>The expression's value for given variable values (indexed like the program's variables).</summary>
        public double Evaluate(IReadOnlyList<double> values) => Constant + _terms.Sum(t => t.Value * values[t.Key]);

        public static implicit operator LinearExpression(Variable variable) =>
            new(new SortedDictionary<int, double> { [variable.Index] = 1 }, 0);

        public static implicit operator LinearExpression(double constant) => new(constant);

        public static LinearExpression operator +(LinearExpression left, LinearExpression right) => Combine(left, 1, right);
        public static LinearExpression operator -(LinearExpression left, LinearExpression right) => Combine(left, -1, right);
        public static LinearExpression operator -(LinearExpression expression) => expression * -1;

        public static LinearExpression operator *(LinearExpression expression, double factor)
        {
            var terms = new SortedDictionary<int, double>();
            foreach (var term in expression._terms)
                terms[term.Key] = term.Value * factor;
            return new LinearExpression(terms, expression.Constant * factor);
        }

        public static LinearExpression operator *(double factor, LinearExpression expression) => expression * factor;

        public static LinearConstraint operator <=(LinearExpression left, LinearExpression right) => LinearConstraint.Create(left, ConstraintSense.LessOrEqual, right);
        public static LinearConstraint operator >=(LinearExpression left, LinearExpression right) => LinearConstraint.Create(left, ConstraintSense.GreaterOrEqual, right);

        /// <summary>An equality constraint (C# reserves == for bool).</summary>
        public LinearConstraint EqualTo(LinearExpression right) => LinearConstraint.Create(this, ConstraintSense.Equal, right);

        private static LinearExpression Combine(LinearExpression left, double sign, LinearExpression right)
        {
            var terms = new SortedDictionary<int, double>(left._terms);
            foreach (var term in right._terms)
                terms[term.Key] = (terms.TryGetValue(term.Key, out double c) ? c : 0) + sign * term.Value;
            return new LinearExpression(terms, left.Constant + sign * right.Constant);
        }

        /// <summary>Sum of many expressions without building intermediate copies of each partial sum.</summary>
        public static LinearExpression Sum(IEnumerable<LinearExpression> expressions)
        {
            var terms = new SortedDictionary<int, double>();
            double constant = 0;
            foreach (var expression in expressions)
            {
                constant += expression.Constant;
                foreach (var term in expression._terms)
                    terms[term.Key] = (terms.TryGetValue(term.Key, out double c) ? c : 0) + term.Value;
            }
            return new LinearExpression(terms, constant);
        }

        public override string ToString() =>
            string.Join(" + ", Terms.Select(t => $"{t.Value}·x{t.Key}")) + (Constant != 0 ? $" + {Constant}" : "");

        internal static void CheckFinite(double value, string what)
        {
            if (double.IsNaN(value) || double.IsInfinity(value))
                throw new ArgumentException($"{what} must be a finite number, but is {value}.");
        }
    }
}
