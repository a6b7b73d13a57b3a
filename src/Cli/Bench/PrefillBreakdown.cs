using System;
using System.Collections.Generic;
using System.Linq;
using Kvpr.Graphs;

namespace Kvpr.Cli.Bench
{
    /// <summary>
    /// A prefill as the device ran it, every chunk of the prompt: from its first node's start to its last node's end
    /// (<see cref="DeviceSpanMs"/>), and how long each stream and each kind of node was busy in that time. Recorded with
    /// an event pair around every node, which costs host and device time of its own, so <see cref="FirstTokenMs"/> (its
    /// generation's first token, from the call to Generate) runs a little longer than an unrecorded generation's.
    /// </summary>
    /// <param name="Chunks">The prompt's chunks, each a run of the graph.</param>
    internal sealed record PrefillBreakdown(double FirstTokenMs, double DeviceSpanMs, int Chunks,
        IReadOnlyDictionary<StreamKind, double> StreamBusyMs, IReadOnlyDictionary<OpKind, double> OpBusyMs)
    {
        /// <summary>The compute stream's busy time.</summary>
        public double ComputeBusyMs => StreamBusyMs.GetValueOrDefault(StreamKind.Compute);

        /// <summary>The write-back of every chunk's X, K and V to the host store.</summary>
        public double StoreBusyMs => OpBusyMs.GetValueOrDefault(OpKind.StoreNewToken);

        /// <summary>The prefill of <paramref name="step"/>, which recorded its timeline, reported <paramref name="firstTokenMs"/> after its generation began.</summary>
        public static PrefillBreakdown Of(StepStatistics step, double firstTokenMs)
        {
            var timeline = step.Timeline ?? throw new ArgumentException($"Step {step.Step} was run without recording its timeline.", nameof(step));
            var nodes = timeline.Nodes;
            double spanMicroseconds = nodes.Count == 0 ? 0 : nodes.Max(n => n.EndMicroseconds) - nodes.Min(n => n.StartMicroseconds);
            return new PrefillBreakdown(firstTokenMs, spanMicroseconds / 1e3, nodes.Select(n => n.Part).Distinct().Count(),
                timeline.Graph.Streams.ToDictionary(stream => stream, stream => timeline.BusyMicroseconds(stream) / 1e3),
                nodes.Select(n => n.Op).Distinct().ToDictionary(op => op, op => timeline.BusyMicroseconds(op) / 1e3));
        }
    }
}
