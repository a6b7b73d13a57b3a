using System;
using System.Collections.Generic;
using Kvpr.Sampling;

namespace Kvpr
{
    /// <summary>What one call to <see cref="Engine.Generate"/> produces and when it stops.</summary>
    public sealed record GenerationOptions
    {
        /// <summary>Tokens generated per sequence at most.</summary>
        public int MaxNewTokens { get; init; } = 32;

        /// <summary>Greedy (the default) or seeded sampling with temperature, top-k and top-p.</summary>
        public SamplingOptions Sampling { get; init; } = SamplingOptions.Greedy;

        /// <summary>Stop a sequence once it has generated one of <see cref="EosTokenIds"/> (kept in its output).</summary>
        public bool StopOnEos { get; init; } = true;

        public IReadOnlyList<int> EosTokenIds { get; init; } = Array.Empty<int>();

        /// <summary>
        /// Told each token as it is picked, before the next step; a sequence whose call returns true stops there.
        /// Lets a caller stream text and end sequences on conditions the engine cannot judge (stop strings, per-request limits).
        /// </summary>
        public TokenCallback? OnToken { get; init; }

        /// <summary>Keep every prefill logit and the logits each token was chosen from (tests, analysis).</summary>
        public bool CaptureLogits { get; init; }

        /// <summary>
        /// Time every graph node on the device (an event pair around each, read after the step) into
        /// <see cref="StepStatistics.Timeline"/>. Off by default: the events cost a little device and host time.
        /// </summary>
        public bool RecordTimeline { get; init; }

        /// <summary>
        /// With <see cref="RecordTimeline"/>, the first step (0 is the prefill) to record: earlier steps run without
        /// the events, so a benchmark can time them as they run uninstrumented and read the timeline of later ones.
        /// </summary>
        public int TimelineFirstStep { get; init; }

        public static GenerationOptions Default { get; } = new();
    }
}
