using System;
using System.Collections.Generic;

namespace Kvpr.Cli
{
    /// <summary>The options of <c>kvpr generate</c> as typed; <see cref="RunSettings"/> translates the shared ones.</summary>
    internal sealed record GenerateSettings
    {
        public string Folder { get; init; } = "";
        public string Input { get; init; } = "";
        public string Output { get; init; } = "";
        public string Device { get; init; } = "cpu";
        /// <summary>Tokens per request unless its line says otherwise.</summary>
        public int MaxNewTokens { get; init; } = 32;
        public string Schedule { get; init; } = "column";
        public int MicroBatches { get; init; } = 2;
        /// <summary>Sequences decoded together at most; fewer where the plan for the batch does not fit.</summary>
        public int MaxBatch { get; init; } = 32;
        public string? Profile { get; init; }
        public IReadOnlyList<string> Stop { get; init; } = Array.Empty<string>();

        /// <summary>The shared options, checked as <c>kvpr run</c> checks them.</summary>
        public RunSettings AsRunSettings() => new()
        {
            Folder = Folder,
            Device = Device,
            MaxNewTokens = MaxNewTokens,
            Schedule = Schedule,
            MicroBatches = MicroBatches,
            Profile = Profile,
        };
    }
}
