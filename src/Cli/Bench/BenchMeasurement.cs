using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using Kvpr.Graphs;

namespace Kvpr.Cli.Bench
{
    /// <summary>
    /// A mode's decode steps as measured: step times after the warm-up, bytes moved and where the time went.
    /// A step ends when its sampled tokens are back on the host (the engine reads the logits, which waits for
    /// every stream), so the wall-clock time between two steps' reports is the device's time for the step.
    /// The last <see cref="RecordedSteps"/> steps record their device timeline (an event pair around every node,
    /// read after the step, which costs host and device time), and are not among the timed ones:
    /// <see cref="StreamBusyMs"/> is, per stream, the mean time its nodes ran in them, <see cref="RecordedStepMs"/>
    /// their mean wall-clock time; <see cref="DeviceStepMs"/> runs from a recorded step's start to its last node's
    /// end. <see cref="PrefillMs"/> runs from the call to Generate to the prefill's report, so it includes allocating
    /// (pinning) the host store; <see cref="LaterPrefillMs"/> is the same time for each later generation of the same
    /// prompts on the same engine, unrecorded, which stop after their first token and find the first one's host store
    /// and device buffers (resident weights included) kept for them. After them, one more such generation records its
    /// prefill's device timeline (<see cref="RecordedPrefill"/>), whose events cost time of their own.
    /// </summary>
    /// <param name="TracedStep">The first recorded step, with its timeline, for the measured trace.</param>
    /// <param name="RecordedPrefill">The recorded later prefill; null when only one generation ran.</param>
    /// <param name="OpBusyMs">Per node kind, the mean time its nodes ran in the recorded decode steps.</param>
    internal sealed record BenchMeasurement(StepTimeSummary Steps, double HostToDeviceBytesPerStep, double DeviceToHostBytesPerStep,
        double PrefillMs, double GenerationMs, IReadOnlyDictionary<StreamKind, double> StreamBusyMs, double RecordedStepMs, double DeviceStepMs, StepStatistics TracedStep,
        IReadOnlyList<double> LaterPrefillMs, PrefillBreakdown? RecordedPrefill, IReadOnlyDictionary<OpKind, double> OpBusyMs)
    {
        public const int RecordedSteps = 3;

        /// <summary>The share of a recorded step's time <paramref name="stream"/> was busy.</summary>
        public double BusyShare(StreamKind stream) => StreamBusyMs[stream] / RecordedStepMs;

        /// <summary>The second generation's first token over the recorded prefill's device span: near 1 when the host adds little around the device's work.</summary>
        public double? SecondFirstTokenOverDeviceSpan => SecondFirstTokenMs / RecordedPrefill?.DeviceSpanMs;

        /// <summary>The second generation's first token over the recorded prefill's compute and store busy times (issue 14 asks for at most 1.5).</summary>
        public double? SecondFirstTokenOverComputeAndStore => SecondFirstTokenMs / (RecordedPrefill?.ComputeBusyMs + RecordedPrefill?.StoreBusyMs);

        private double? SecondFirstTokenMs => LaterPrefillMs.Count > 0 ? LaterPrefillMs[0] : null;

        /// <summary>
        /// Runs <paramref name="plan"/>'s workload on <paramref name="device"/> and times its decode steps after
        /// <paramref name="warmupSteps"/>, then times the first token of <paramref name="generations"/> − 1 more generations on the
        /// engine and, if there were any, records the prefill of one more.
        /// </summary>
        public static BenchMeasurement Run(BenchPlan plan, ComputeDevice device, ModelWeights weights, int warmupSteps, int seed, int generations)
        {
            var workload = plan.Case;
            if (workload.DecodeSteps <= warmupSteps + RecordedSteps)
                throw new UsageException($"{workload} has {workload.DecodeSteps} decode steps, so none is left to time after {warmupSteps} warm-up and {RecordedSteps} recorded steps; ask for more new tokens.");
            int firstRecorded = workload.NewTokens - RecordedSteps;
            var random = new Random(seed);
            var prompts = Enumerable.Range(0, workload.Sequences)
                .Select(_ => Enumerable.Range(0, workload.PromptLength).Select(_ => random.Next(workload.Spec.Vocab)).ToArray())
                .ToArray();
            using var engine = new Engine(weights, new EngineOptions
            {
                Device = device,
                Split = plan.Split,
                Residency = plan.Residency,
                GpuMemoryBytes = workload.GpuMemoryBytes,
                Schedule = workload.MicroBatches > 1 ? ScheduleKind.ColumnByColumn : ScheduleKind.RowByRow,
                MicroBatches = workload.MicroBatches,
                ActivationChunks = plan.Costs.Settings.ActivationChunks,
            });
            var reports = new List<(StepStatistics Step, long Timestamp)>();
            long start = Stopwatch.GetTimestamp();
            var result = engine.Generate(prompts, new GenerationOptions { MaxNewTokens = workload.NewTokens, RecordTimeline = true, TimelineFirstStep = firstRecorded },
                progress: new Synchronous<StepStatistics>(step => reports.Add((step, Stopwatch.GetTimestamp()))));
            if (result.Steps.Count != workload.NewTokens)
                throw new InvalidOperationException($"The engine ran {result.Steps.Count} steps for {workload}, not {workload.NewTokens}.");

            // Report i is step i (0 the prefill); step i took from report i - 1 to report i.
            var timed = reports.Take(firstRecorded).Skip(1 + warmupSteps).ToArray();
            var allStepMs = reports.Zip(reports.Skip(1), (before, after) => Stopwatch.GetElapsedTime(before.Timestamp, after.Timestamp).TotalMilliseconds).ToArray();
            var stepMs = allStepMs.Take(firstRecorded - 1).Skip(warmupSteps).ToArray();
            var summary = StepTimeSummary.Of(stepMs);
            var recorded = reports.Skip(firstRecorded).Select(r => r.Step).ToArray();
            var timelines = recorded.Select(step => step.Timeline!).ToArray();
            var busyMs = timelines[0].Graph.Streams.ToDictionary(stream => stream, stream => timelines.Average(t => t.BusyMicroseconds(stream)) / 1e3);
            var opBusyMs = timelines[0].Graph.Nodes.Select(node => node.Op).Distinct().ToDictionary(op => op, op => timelines.Average(t => t.BusyMicroseconds(op)) / 1e3);
            var laterPrefillMs = Enumerable.Range(1, generations - 1).Select(_ => FirstToken(engine, prompts, workload.NewTokens, record: false).Ms).ToArray();
            PrefillBreakdown? recordedPrefill = null;
            if (generations > 1)
            {
                var (ms, prefill) = FirstToken(engine, prompts, workload.NewTokens, record: true);
                recordedPrefill = PrefillBreakdown.Of(prefill, ms);
            }
            return new BenchMeasurement(summary, timed.Average(t => (double)t.Step.HostToDeviceBytes),
                timed.Average(t => (double)t.Step.DeviceToHostBytes), Stopwatch.GetElapsedTime(start, reports[0].Timestamp).TotalMilliseconds,
                Stopwatch.GetElapsedTime(start, reports[^1].Timestamp).TotalMilliseconds, busyMs, allStepMs.Skip(firstRecorded - 1).Average(), timelines.Average(t => t.SpanMicroseconds) / 1e3, recorded[0],
                laterPrefillMs, recordedPrefill, opBusyMs);
        }

        /// <summary>
        /// From the call to Generate to the prefill's report, in a generation stopped after its first token: it asks for
        /// <paramref name="newTokens"/> like the first, so its device buffers are the first one's, which the engine kept.
        /// </summary>
        private static (double Ms, StepStatistics Prefill) FirstToken(Engine engine, int[][] prompts, int newTokens, bool record)
        {
            long start = Stopwatch.GetTimestamp(), prefilled = 0;
            StepStatistics? prefill = null;
            engine.Generate(prompts, new GenerationOptions { MaxNewTokens = newTokens, OnToken = (_, _) => true, RecordTimeline = record },
                progress: new Synchronous<StepStatistics>(step => (prefilled, prefill) = (Stopwatch.GetTimestamp(), step)));
            return (Stopwatch.GetElapsedTime(start, prefilled).TotalMilliseconds, prefill!);
        }

        /// <summary>Reports on the engine's thread, at once: Progress&lt;T&gt; would post to the thread pool and lose the timing.</summary>
        private sealed class Synchronous<T> : IProgress<T>
        {
            private readonly Action<T> _report;

            public Synchronous(Action<T> report) => _report = report;

            public void Report(T value) => _report(value);
        }
    }
}
