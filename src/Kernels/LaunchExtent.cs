using System.Globalization;

namespace Kvpr.Kernels
{
    /// <summary>One dimension of a grid: a constant fixed by the model, or a size given at launch time.</summary>
    public sealed record LaunchExtent
    {
        private LaunchExtent(int constant, LaunchVariable? variable)
        {
            Constant = constant;
            Variable = variable;
        }

        /// <summary>The extent when <see cref="Variable"/> is null.</summary>
        public int Constant { get; }

        /// <summary>The launch-time size this extent equals, or null for a constant.</summary>
        public LaunchVariable? Variable { get; }

        public static LaunchExtent Of(int constant) => new(constant, null);

        public static LaunchExtent Of(LaunchVariable variable) => new(1, variable);

        public int Evaluate(LaunchSizes sizes, string kernel) => Variable is LaunchVariable variable ? sizes.Get(variable, kernel) : Constant;

        public override string ToString() => Variable is LaunchVariable variable
            ? variable.ToString().ToLowerInvariant()
            : Constant.ToString(CultureInfo.InvariantCulture);
    }
}
