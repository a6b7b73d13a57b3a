using System.Linq;

namespace Kvpr.Lp
{
    public enum ConstraintSense { LessOrEqual, Equal, GreaterOrEqual }

    /// <summary>Σ aᵢ·xᵢ (sense) rhs, with every constant moved to the right-hand side.</summary>
    public sealed class LinearConstraint
    {
        private LinearConstraint(LinearExpression lhs, ConstraintSense sense, double rhs)
        {
            Lhs = lhs;
            Sense = sense;
            Rhs = rhs;
        }

        /// <summary>The variable part (its constant is zero).</summary>
        public LinearExpression Lhs { get; }
        public ConstraintSense Sense { get; }
        public double Rhs { get; }

        /// <summary>Set by <see cref="LinearProgram.Add"/>.</summary>
        public string Name { get; internal set; } = "";

        internal static LinearConstraint Create(LinearExpression left, ConstraintSense sense, LinearExpression right)
        {
            var difference = left - right;
            double rhs = -difference.Constant;
            LinearExpression.CheckFinite(rhs, "A constraint's constant");
            foreach (var term in difference.Terms)
                LinearExpression.CheckFinite(term.Value, "A constraint coefficient");
            return new LinearConstraint(difference + rhs, sense, rhs);
        }

        public bool IsSatisfiedBy(System.Collections.Generic.IReadOnlyList<double> values, double tolerance)
        {
            double lhs = Lhs.Evaluate(values);
            return Sense switch
            {
                ConstraintSense.LessOrEqual => lhs <= Rhs + tolerance,
                ConstraintSense.GreaterOrEqual => lhs >= Rhs - tolerance,
                _ => System.Math.Abs(lhs - Rhs) <= tolerance,
            };
        }

        public override string ToString() =>
            $"{Name}: {Lhs} {(Sense == ConstraintSense.LessOrEqual ? "<=" : Sense == ConstraintSense.Equal ? "=" : ">=")} {Rhs}";

        internal bool IsEmpty => !Lhs.Terms.Any();
    }
}
