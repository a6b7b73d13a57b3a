using System.Globalization;

namespace Kvpr.Kernels
{
    /// <summary>
    /// One dimension of a grid: a constant fixed by the model, or a size given at launch time divided (rounding up)
    /// by the amount of it one block handles.
    /// </summary>
    public sealed record LaunchExtent
    {
        private LaunchExtent(int constant, LaunchVariable? variable, int perBlock)
        {
            Constant = constant;
            Variable = variable;
            PerBlock = perBlock;
        }

        /// <summary>The extent when <see cref="Variable"/> is null.</summary>
        public int Constant { get; }

        /// <summary>The launch-time size this extent follows, or null for a constant.</summary>
        public LaunchVariable? Variable { get; }

        /// <summary>How much of <see cref="Variable"/> one block handles: the extent is ceil(variable / PerBlock).</summary>
        public int PerBlock { get; }

        public static LaunchExtent Of(int constant) => new(constant, null, 1);

        public static LaunchExtent Of(LaunchVariable variable, int perBlock = 1) => new(1, variable, perBlock);

        public int Evaluate(LaunchSizes sizes, string kernel) => Variable is LaunchVariable variable
            ? (sizes.Get(variable, kernel) + PerBlock - 1) / PerBlock
            : Constant;

        public override string ToString()
        {
            if (Variable is not LaunchVariable variable)
                return Constant.ToString(CultureInfo.InvariantCulture);
            string name = variable.ToString().ToLowerInvariant();
            return PerBlock == 1 ? name : $"ceil({name} / {PerBlock.ToString(CultureInfo.InvariantCulture)})";
        }
    }
}
