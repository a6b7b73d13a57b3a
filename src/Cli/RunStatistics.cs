using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json.Nodes;

namespace Kvpr.Cli
{
    /// <summary>What a <c>kvpr run</c> generation did, summed over its steps, for people and as JSON.</summary>
    internal sealed record RunStatistics(int Sequences, int PromptTokens, int GeneratedTokens, int Steps, TimeSpan Prefill, TimeSpan Decode,
        long HostToDeviceBytes, long DeviceToHostBytes, PhaseTimes Phases, double RecomputeFraction, long RecomputeSavedBytes)
    {
        /// <param name="prefill">Wall time until the prefill step (which picks each sequence's first token) ended.</param>
        /// <param name="total">Wall time of the whole generation.</param>
        public static RunStatistics From(GenerationResult result, ModelSpec spec, int promptTokens, TimeSpan prefill, TimeSpan total)
        {
            // A recomputed token crosses the link as its layer input (hidden values) instead of its K and V (2 · KV width).
            long savedPerToken = (2L * spec.KvDim - spec.Hidden) * spec.ElementBytes;
            var decode = result.Steps.Where(step => !step.IsPrefill).ToArray();
            // l / s' over the decode steps' layers that offload their KV (resident layers report l = 0 and transfer nothing).
            var splits = decode.SelectMany(step => step.RecomputeTokens.Select(l => (double)l / step.Length)).ToArray();
            var phases = result.Steps.Aggregate(PhaseTimes.Zero, (sum, step) => new PhaseTimes(sum.Transfer + step.Times.Transfer,
                sum.Recompute + step.Times.Recompute, sum.Compute + step.Times.Compute, sum.Sampling + step.Times.Sampling) { DeviceWait = sum.DeviceWait + step.Times.DeviceWait });
            return new RunStatistics(result.Tokens.Length, promptTokens, result.Tokens.Sum(tokens => tokens.Length), result.Steps.Count,
                prefill, total - prefill, result.Steps.Sum(s => s.HostToDeviceBytes), result.Steps.Sum(s => s.DeviceToHostBytes),
                phases, splits.Length > 0 ? splits.Average() : 0,
                decode.Sum(step => step.RecomputeTokens.Sum(l => (long)l) * step.Sequences * savedPerToken));
        }

        /// <summary>Tokens picked after the prefill (which picks one per sequence), per second of decoding.</summary>
        public double DecodeTokensPerSecond => Decode > TimeSpan.Zero ? (GeneratedTokens - Sequences) / Decode.TotalSeconds : 0;

        public IEnumerable<string> Lines()
        {
            yield return $"{Sequences} sequence{(Sequences == 1 ? "" : "s")} with {PromptTokens} prompt tokens in all; {GeneratedTokens} tokens generated in {Steps} steps.";
            yield return $"Prefill {Ms(Prefill)}, decode {Ms(Decode)} ({DecodeTokensPerSecond.ToString("F1", CultureInfo.InvariantCulture)} tokens/s).";
            yield return $"Host→device {Mb(HostToDeviceBytes)}, device→host {Mb(DeviceToHostBytes)}; mean recomputed share l/s' {RecomputeFraction.ToString("F3", CultureInfo.InvariantCulture)}, " +
                $"which kept {Mb(RecomputeSavedBytes)} off the link (activations sent instead of K and V).";
            yield return $"Time by phase: transfer {Ms(Phases.Transfer)}, recompute {Ms(Phases.Recompute)}, compute {Ms(Phases.Compute)}, sampling {Ms(Phases.Sampling)}, waiting for the device {Ms(Phases.DeviceWait)}.";
        }

        public JsonObject ToJson() => new()
        {
            ["sequences"] = Sequences,
            ["promptTokens"] = PromptTokens,
            ["generatedTokens"] = GeneratedTokens,
            ["steps"] = Steps,
            ["prefillSeconds"] = Prefill.TotalSeconds,
            ["decodeSeconds"] = Decode.TotalSeconds,
            ["decodeTokensPerSecond"] = DecodeTokensPerSecond,
            ["hostToDeviceBytes"] = HostToDeviceBytes,
            ["deviceToHostBytes"] = DeviceToHostBytes,
            ["recomputeFraction"] = RecomputeFraction,
            ["recomputeSavedBytes"] = RecomputeSavedBytes,
            ["phaseSeconds"] = new JsonObject
            {
                ["transfer"] = Phases.Transfer.TotalSeconds,
                ["recompute"] = Phases.Recompute.TotalSeconds,
                ["compute"] = Phases.Compute.TotalSeconds,
                ["sampling"] = Phases.Sampling.TotalSeconds,
                ["deviceWait"] = Phases.DeviceWait.TotalSeconds,
            },
        };

        private static string Ms(TimeSpan time) => time.TotalMilliseconds.ToString("F1", CultureInfo.InvariantCulture) + " ms";

        private static string Mb(long bytes) => (bytes / 1e6).ToString("F2", CultureInfo.InvariantCulture) + " MB";
    }
}
