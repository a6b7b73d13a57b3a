namespace Kvpr.Cli.Bench
{
    /// <summary>One line of the results: a mode of a workload, predicted and (unless the run was a dry run) measured.</summary>
    internal sealed record BenchRow(BenchPlan Plan, BenchMeasurement? Measured)
    {
        public BenchCase Case => Plan.Case;

        /// <summary>Generated tokens per second at the measured mean step time.</summary>
        public double? TokensPerSecond => Measured is { } m ? Case.Sequences * 1e3 / m.Steps.MeanMs : null;

        /// <summary>Tokens over the whole generation (buffers, prefill, every decode step), per second.</summary>
        public double? GenerationTokensPerSecond => Measured is { } m ? (double)Case.Sequences * Case.NewTokens * 1e3 / m.GenerationMs : null;

        /// <summary>Predicted over measured step time: 1 is a perfect prediction.</summary>
        public double? PredictionRatio => Measured is { } m ? Plan.PredictedMsPerStep / m.Steps.MeanMs : null;

        /// <summary>Measured step time over the mode's floor: 1 is the floor reached.</summary>
        public double? FloorRatio => Measured is { } m && Plan.FloorMs > 0 ? m.Steps.MeanMs / Plan.FloorMs : null;
    }
}
