using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Kvpr.Graphs;

namespace Kvpr.Cli.Bench
{
    /// <summary>A benchmark run's rows, with the Hugging Face baseline (d) where one was given: as JSON and as a text table.</summary>
    internal sealed record BenchReport(string Machine, string ProfileName, string Device, int WarmupSteps,
        IReadOnlyList<BenchRow> Rows, IReadOnlyList<HuggingFaceResult> HuggingFace)
    {
        private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

        public string ToJson()
        {
            var results = new JsonArray();
            foreach (var row in Rows)
                results.Add(RowJson(row));
            foreach (var hf in MatchingBaselines)
                results.Add(hf.Source.DeepClone());
            return new JsonObject
            {
                ["machine"] = Machine,
                ["profile"] = ProfileName,
                ["device"] = Device,
                ["warmupSteps"] = WarmupSteps,
                ["timing"] = "ms/step and tokensPerSecond: decode steps only, after the warm-up; generationTokensPerSecond: every sequence's new tokens over the whole Generate call (buffers, prefill and every decode step); a step is the wall-clock time between two steps' sampled tokens reaching the host; the last 3 steps are not timed: they record device events around every graph node, which give the stream busy times and deviceStepMs (Stopwatch on the CPU backend); laterPrefillMs: the first token of each later generation on the engine, unrecorded; recordedPrefill: one more later generation whose prefill records its events (every chunk): its first token, the span from its first node's start to its last node's end, and busy ms per stream and per node kind",
                ["results"] = results,
            }.ToJsonString(Indented) + "\n";
        }

        private static JsonObject RowJson(BenchRow row)
        {
            var plan = row.Plan;
            var spec = row.Case.Spec;
            var json = new JsonObject
            {
                ["mode"] = plan.Mode.Letter().ToString(),
                ["description"] = plan.Mode.Describe(),
                ["model"] = spec.Name,
                ["hidden"] = spec.Hidden,
                ["layers"] = spec.Layers,
                ["heads"] = spec.Heads,
                ["ffn"] = spec.FfnHidden,
                ["vocab"] = spec.Vocab,
                ["batch"] = row.Case.Batch,
                ["microBatches"] = row.Case.MicroBatches,
                ["sequences"] = row.Case.Sequences,
                ["gpuMemoryCapBytes"] = row.Case.GpuMemoryBytes,
                ["weightResidentLayers"] = plan.Residency.WeightResidentLayers,
                ["predictedPrefillMs"] = plan.PredictedPrefillMs,
                ["predictedGenerationMs"] = plan.PredictedGenerationMs,
                ["predictedGenerationTokensPerSecond"] = plan.PredictedGenerationTokensPerSecond,
                ["prompt"] = row.Case.PromptLength,
                ["newTokens"] = row.Case.NewTokens,
                ["kvResidentLayers"] = plan.Residency.KvResidentLayers,
                ["meanRecomputeTokens"] = plan.MeanRecomputeTokens,
                ["predictedMsPerStep"] = plan.PredictedMsPerStep,
                ["floorMs"] = plan.FloorMs,
                ["floor"] = plan.Mode == BenchMode.Resident ? "weights and KV read once at device memory bandwidth" : "the plan's host-to-device bytes at link bandwidth",
                ["plannedHostToDeviceBytesPerStep"] = plan.HostToDeviceBytesPerStep,
                ["floorAllKvMs"] = plan.Costs.FloorAllKvSeconds(row.Case.Batch, row.Case.PromptLength) * 1e3,
                ["floorAllRecomputeMs"] = plan.Costs.FloorAllRecomputeSeconds(row.Case.Batch, row.Case.PromptLength) * 1e3,
            };
            if (row.Measured is { } m)
            {
                json["msPerStep"] = new JsonObject { ["mean"] = m.Steps.MeanMs, ["p50"] = m.Steps.P50Ms, ["p90"] = m.Steps.P90Ms, ["steps"] = m.Steps.Steps };
                json["tokensPerSecond"] = row.TokensPerSecond;
                json["generationMs"] = m.GenerationMs;
                json["generationTokensPerSecond"] = row.GenerationTokensPerSecond;
                json["predictedOverMeasured"] = row.PredictionRatio;
                json["measuredOverFloor"] = row.FloorRatio;
                json["hostToDeviceBytesPerStep"] = m.HostToDeviceBytesPerStep;
                json["deviceToHostBytesPerStep"] = m.DeviceToHostBytesPerStep;
                json["prefillMs"] = m.PrefillMs;
                if (m.LaterPrefillMs.Count > 0)
                {
                    json["laterPrefillMs"] = new JsonArray(m.LaterPrefillMs.Select(ms => (JsonNode?)ms).ToArray());
                    json["secondPrefillOverPredicted"] = row.SecondPrefillRatio;
                }
                if (m.RecordedPrefill is { } prefill)
                {
                    json["recordedPrefill"] = new JsonObject
                    {
                        ["firstTokenMs"] = prefill.FirstTokenMs,
                        ["deviceSpanMs"] = prefill.DeviceSpanMs,
                        ["chunks"] = prefill.Chunks,
                        ["computeBusyMs"] = prefill.ComputeBusyMs,
                        ["storeBusyMs"] = prefill.StoreBusyMs,
                        ["streamBusyMs"] = StreamObject(prefill.StreamBusyMs.Keys, stream => prefill.StreamBusyMs[stream]),
                        ["opBusyMs"] = OpObject(prefill.OpBusyMs),
                    };
                    json["secondFirstTokenOverDeviceSpan"] = m.SecondFirstTokenOverDeviceSpan;
                    json["secondFirstTokenOverComputeAndStore"] = m.SecondFirstTokenOverComputeAndStore;
                }
                json["gpuBusyShare"] = m.BusyShare(StreamKind.Compute);
                json["opBusyMs"] = OpObject(m.OpBusyMs);
                json["streamBusyShare"] = StreamObject(m.StreamBusyMs.Keys, m.BusyShare);
                json["streamBusyMs"] = StreamObject(m.StreamBusyMs.Keys, stream => m.StreamBusyMs[stream]);
                json["deviceStepMs"] = m.DeviceStepMs;
                json["recordedStepMs"] = m.RecordedStepMs;
            }
            return json;
        }

        private static JsonObject StreamObject(IEnumerable<StreamKind> streams, Func<StreamKind, double> value)
        {
            var json = new JsonObject();
            foreach (var stream in streams)
                json[stream.ToString()] = value(stream);
            return json;
        }

        /// <summary>Busy milliseconds per kind of node, busiest first.</summary>
        private static JsonObject OpObject(IReadOnlyDictionary<OpKind, double> busyMs)
        {
            var json = new JsonObject();
            foreach (var (op, ms) in busyMs.OrderByDescending(pair => pair.Value))
                json[op.ToString()] = ms;
            return json;
        }

        /// <summary>One line per row and baseline, then the speed-ups of (c) over (b) and over (d) per workload.</summary>
        public string ToTable()
        {
            var text = new StringBuilder();
            text.AppendLine(Invariant($"Machine: {Machine}; profile {ProfileName}; device {Device}; {WarmupSteps} warm-up steps, then every decode step timed but the last {BenchMeasurement.RecordedSteps} (their device timeline recorded)."));
            string header = Invariant($"{"workload",-44} {"mode",-26} {"ms/step",9} {"p50",9} {"p90",9} {"tok/s",8} {"gen tok/s",9} {"pred gen",9} {"pred ms",9} {"pred/meas",9} {"floor ms",9} {"meas/floor",10} {"l",7} {"W res",5} {"H2D GB",7}");
            text.AppendLine(header).AppendLine(new string('-', header.Length));
            foreach (var row in Rows)
            {
                var m = row.Measured;
                text.AppendLine(Invariant($"{row.Case,-44} {$"({row.Plan.Mode.Letter()}) {row.Plan.Mode.Describe()}",-26} {Number(m?.Steps.MeanMs),9} {Number(m?.Steps.P50Ms),9} {Number(m?.Steps.P90Ms),9} {Number(row.TokensPerSecond, "F0"),8} {Number(row.GenerationTokensPerSecond, "F1"),9} {row.Plan.PredictedGenerationTokensPerSecond,9:F1} {row.Plan.PredictedMsPerStep,9:F1} {Number(row.PredictionRatio, "F2"),9} {row.Plan.FloorMs,9:F1} {Number(row.FloorRatio, "F2"),10} {row.Plan.MeanRecomputeTokens,7:F0} {row.Plan.Residency.WeightResidentLayers,5} {(m?.HostToDeviceBytesPerStep ?? row.Plan.HostToDeviceBytesPerStep) / 1e9,7:F2}"));
            }
            foreach (var row in Rows.Where(r => r.Measured?.LaterPrefillMs.Count > 0))
                text.AppendLine(Invariant($"{row.Case} ({row.Plan.Mode.Letter()}): first token {row.Measured!.PrefillMs:F1} ms in the first generation (host store pinned), {string.Join(", ", row.Measured.LaterPrefillMs.Select(ms => ms.ToString("F1", CultureInfo.InvariantCulture)))} ms in the later ones on the same engine; predicted prefill (compute and store) {row.Plan.PredictedPrefillMs:F1} ms, second over predicted {row.SecondPrefillRatio:F2}."));
            foreach (var row in Rows.Where(r => r.Measured?.RecordedPrefill is not null))
                AppendRecordedPrefill(text, row);
            foreach (var hf in MatchingBaselines.Where(h => h.Cache == "offloaded"))
                text.AppendLine(Invariant($"{$"{hf.Model} batch {hf.Batch} prompt {hf.PromptLength}",-44} {"(d) HF offloaded cache",-26} {hf.MsPerStep,9:F1}"));

            foreach (var workload in Rows.Select(r => r.Case).Distinct())
            {
                double? planned = MeanMs(workload, BenchMode.Planned);
                if (planned is not double c)
                    continue;
                if (MeanMs(workload, BenchMode.TransferAll) is double b)
                    text.AppendLine(Invariant($"{workload}: speed-up of (c) over (b): {b / c:F2}x."));
                if (HuggingFaceResult.OffloadedFor(HuggingFace, workload) is { } d)
                    text.AppendLine(Invariant($"{workload}: speed-up of (c) over (d): {d.MsPerStep / c:F2}x."));
            }
            foreach (var workload in Rows.Select(r => r.Case).Distinct())
            {
                if (MeanMs(workload, BenchMode.CpuAttention) is not double e)
                    continue;
                foreach (var baseline in new[] { BenchMode.TransferAll, BenchMode.Planned })
                    if (MeanMs(workload, baseline) is double other)
                        text.AppendLine(Invariant($"{workload}: (e) CPU attention takes {e / other:F2}x the step of ({baseline.Letter()}), a speed-up of {other / e:F2}x."));
            }
            foreach (var row in Rows.Where(r => r.Measured is not null))
                text.AppendLine(Invariant($"{row.Case} ({row.Plan.Mode.Letter()}): a recorded decode step's busy ms per node kind: {string.Join(", ", row.Measured!.OpBusyMs.Where(pair => pair.Value > 0).OrderByDescending(pair => pair.Value).Select(pair => Invariant($"{pair.Key} {pair.Value:F1}")))}."));
            foreach (var row in Rows.Where(r => r.Plan.Mode == BenchMode.CpuAttention && r.Measured is not null))
                text.AppendLine(Invariant($"{row.Case} (e): CPU lane busy {row.Measured!.BusyShare(StreamKind.CpuLane):P0} of a recorded step; CPU share {row.Plan.MeanHostTokens:F0} of the stored tokens, link floor {row.Plan.TransferFloorMs:F1} ms, host memory floor {row.Plan.HostMemoryFloorMs:F1} ms ({row.Plan.Costs.Profile.HostMemoryReadBytesPerSecond / 1e9:F1} GB/s read, CPU attention {row.Plan.Costs.Profile.HostAttentionBytesPerSecond / 1e9:F1} GB/s, measured by the profile)."));
            return text.ToString();
        }

        /// <summary>Where the recorded later prefill's time went on the device, and the second first token against it.</summary>
        private static void AppendRecordedPrefill(StringBuilder text, BenchRow row)
        {
            var m = row.Measured!;
            var prefill = m.RecordedPrefill!;
            string streams = string.Join(", ", prefill.StreamBusyMs.Select(pair => Invariant($"{pair.Key} {pair.Value:F1}")));
            string ops = string.Join(", ", prefill.OpBusyMs.OrderByDescending(pair => pair.Value).Select(pair => Invariant($"{pair.Key} {pair.Value:F1}")));
            text.AppendLine(Invariant($"{row.Case} ({row.Plan.Mode.Letter()}): a later generation's prefill on the device (events around every node): first token {prefill.FirstTokenMs:F1} ms, device span {prefill.DeviceSpanMs:F1} ms over {prefill.Chunks} chunk{(prefill.Chunks == 1 ? "" : "s")}; busy ms per stream: {streams}."));
            text.AppendLine(Invariant($"{row.Case} ({row.Plan.Mode.Letter()}): busy ms per node kind: {ops}; second first token over the span {Number(m.SecondFirstTokenOverDeviceSpan, "F2")}, over compute + store busy ({prefill.ComputeBusyMs:F1} + {prefill.StoreBusyMs:F1} ms) {Number(m.SecondFirstTokenOverComputeAndStore, "F2")}."));
        }

        /// <summary>The baseline results of the workloads this run measured.</summary>
        private IEnumerable<HuggingFaceResult> MatchingBaselines => HuggingFace.Where(hf => Rows.Any(row => hf.Matches(row.Case)));

        private double? MeanMs(BenchCase workload, BenchMode mode) =>
            Rows.FirstOrDefault(r => r.Case == workload && r.Plan.Mode == mode)?.Measured?.Steps.MeanMs;

        private static string Number(double? value, string format = "F1") => value is double v ? v.ToString(format, CultureInfo.InvariantCulture) : "-";

        private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
    }
}
