namespace Kvpr.Lp
{
    /// <summary>A decision variable with bounds; <see cref="double.PositiveInfinity"/> (or negative) for none.</summary>
    public sealed record Variable(int Index, string Name, double Lower, double Upper)
    {
        public static LinearExpression operator *(Variable variable, double factor) => (LinearExpression)variable * factor;
        public static LinearExpression operator *(double factor, Variable variable) => (LinearExpression)variable * factor;
        public static LinearExpression operator +(Variable left, Variable right) => (LinearExpression)left + right;
        public static LinearExpression operator -(Variable left, Variable right) => (LinearExpression)left - right;
    }
}
