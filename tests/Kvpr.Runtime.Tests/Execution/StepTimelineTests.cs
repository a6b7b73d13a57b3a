using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using Kvpr.Graphs;
using Kvpr.Planning;

namespace Kvpr.Runtime.Tests.Execution;

/// <summary>
/// The per-node timeline on the CPU backend, which runs each node when it is queued: so every node that works
/// must appear once, in graph order, back to back, and inside the step's own wall-clock time.
/// </summary>
public class StepTimelineTests
{
    private static readonly ModelSpec Tiny = ModelSpec.Llama("test-llama", hidden: 32, layers: 3, heads: 4, kvHeads: 2, ffnHidden: 48, vocab: 64, maxPositions: 40);
    private static readonly ModelWeights TinyWeights = RandomWeights.Create(Tiny, seed: 7);
    private static readonly int[][] Prompts = { new[] { 1, 2, 3, 4, 5, 6 }, new[] { 9, 8, 7, 6, 5, 4 }, new[] { 3, 3, 3, 3, 3, 3 } };

    [Theory]
    [InlineData(ScheduleKind.RowByRow)]
    [InlineData(ScheduleKind.ColumnByColumn)]
    public void Every_node_that_works_is_timed_once_in_graph_order_inside_its_step(ScheduleKind schedule)
    {
        using var engine = new Engine(TinyWeights, new EngineOptions { Schedule = schedule, MicroBatches = 2, ActivationChunks = 2, Split = SplitPolicy.Fraction(0.5) });
        var (result, stepWallMicroseconds) = GenerateTimed(engine, new GenerationOptions { MaxNewTokens = 5, StopOnEos = false, RecordTimeline = true });

        result.Steps.Count.ShouldBe(5);
        foreach (var step in result.Steps)
        {
            var timeline = step.Timeline.ShouldNotBeNull();
            timeline.Nodes.Select(n => n.NodeId).ShouldBe(ExpectedWorkingNodes(timeline.Graph, step), $"step {step.Step}");
            foreach (var timed in timeline.Nodes)
            {
                var node = timeline.Graph.Nodes[timed.NodeId];
                (timed.Op, timed.Layer, timed.MicroBatch, timed.Stream).ShouldBe((node.Op, node.Layer, node.MicroBatch, node.Stream));
                timed.StartMicroseconds.ShouldBeGreaterThanOrEqualTo(0);
                timed.DurationMicroseconds.ShouldBeGreaterThanOrEqualTo(0);
            }
            // Synchronous: no two nodes overlap, whatever their streams (an end is start + duration, so up to rounding).
            foreach (var (before, after) in timeline.Nodes.Zip(timeline.Nodes.Skip(1)))
                after.StartMicroseconds.ShouldBeGreaterThanOrEqualTo(before.EndMicroseconds - 1e-6);

            double busy = timeline.Graph.Streams.Sum(timeline.BusyMicroseconds);
            busy.ShouldBe(timeline.Nodes.Sum(n => n.DurationMicroseconds), 1e-6);
            busy.ShouldBeLessThanOrEqualTo(timeline.SpanMicroseconds + 1e-6);
            timeline.SpanMicroseconds.ShouldBeLessThanOrEqualTo(stepWallMicroseconds[step.Step]);
            // Each node's event pair encloses the host clock the phase times are summed from; only no-ops add to those.
            var phases = step.Times.Transfer + step.Times.Recompute + step.Times.Compute;
            busy.ShouldBeGreaterThanOrEqualTo(phases.TotalMicroseconds * 0.9);
        }
    }

    [Fact]
    public void A_prefill_in_chunks_records_every_chunks_nodes_on_one_clock_that_later_steps_continue()
    {
        // Six rows a chunk over three prompts: 2 of their 6 tokens, so three parts, the later ones bringing back the earlier
        // chunks' X and recomputing their K and V.
        using var engine = new Engine(TinyWeights, new EngineOptions { Split = SplitPolicy.Fraction(0.5), PrefillRows = 6 });
        var steps = engine.Generate(Prompts, new GenerationOptions { MaxNewTokens = 2, StopOnEos = false, RecordTimeline = true }).Steps;

        var prefill = steps[0].Timeline.ShouldNotBeNull();
        prefill.StartMicroseconds.ShouldBe(0);
        prefill.Nodes.Select(n => n.Part).Distinct().ShouldBe(new[] { 0, 1, 2 });
        foreach (var part in prefill.Nodes.GroupBy(n => n.Part))
            part.Count(n => n.Op == OpKind.AttentionBlock).ShouldBe(Tiny.Layers, $"part {part.Key}");
        prefill.Nodes.Where(n => n.Op is OpKind.LoadActivations or OpKind.RecomputeKv).Select(n => n.Part).Distinct().ShouldBe(new[] { 1, 2 });
        prefill.Nodes.ShouldNotContain(n => n.Op == OpKind.LoadKv);
        // Synchronous: each node starts after the one before it, across parts too.
        foreach (var (before, after) in prefill.Nodes.Zip(prefill.Nodes.Skip(1)))
            after.StartMicroseconds.ShouldBeGreaterThanOrEqualTo(before.EndMicroseconds - 1e-6);
        steps[1].Timeline.ShouldNotBeNull().StartMicroseconds.ShouldBeGreaterThanOrEqualTo(prefill.SpanMicroseconds);
        prefill.Graph.Streams.Sum(prefill.BusyMicroseconds).ShouldBe(Enum.GetValues<OpKind>().Sum(prefill.BusyMicroseconds), 1e-6);
    }

    [Fact]
    public void Steps_before_the_first_recorded_one_run_without_a_timeline()
    {
        using var engine = new Engine(TinyWeights, new EngineOptions { Split = SplitPolicy.Fraction(0.5) });
        var steps = engine.Generate(Prompts, new GenerationOptions { MaxNewTokens = 5, StopOnEos = false, RecordTimeline = true, TimelineFirstStep = 3 }).Steps;

        steps.Select(s => s.Timeline is not null).ShouldBe(new[] { false, false, false, true, true });
    }

    [Fact]
    public void Without_the_option_no_step_has_a_timeline()
    {
        using var engine = new Engine(TinyWeights, new EngineOptions { Split = SplitPolicy.Fraction(0.5) });
        engine.Generate(Prompts, new GenerationOptions { MaxNewTokens = 3, StopOnEos = false }).Steps.ShouldAllBe(s => s.Timeline == null);
    }

    /// <summary>Decode steps: the nodes whose token range is not empty; prefill: everything but recompute and loads from the (empty) store.</summary>
    private static IEnumerable<int> ExpectedWorkingNodes(ExecutionGraph graph, StepStatistics step) => graph.Nodes
        .Where(node => step.IsPrefill
            ? node.Op is not (OpKind.RecomputeKv or OpKind.LoadKv or OpKind.LoadActivations)
            : !node.IsNoOpFor(new StepShape(step.Sequences, step.Length, node.Layer == GraphNode.NoLayer ? 0 : step.RecomputeTokens[node.Layer])))
        .Select(node => node.Id);

    /// <summary>Generates, noting each step's wall-clock time: from the previous report (the call, for the prefill) to its own.</summary>
    private static (GenerationResult Result, double[] StepWallMicroseconds) GenerateTimed(Engine engine, GenerationOptions options)
    {
        var walls = new List<double>();
        long last = Stopwatch.GetTimestamp();
        var result = engine.Generate(Prompts, options, progress: new Reporter(() =>
        {
            long now = Stopwatch.GetTimestamp();
            walls.Add(Stopwatch.GetElapsedTime(last, now).TotalMicroseconds);
            last = now;
        }));
        return (result, walls.ToArray());
    }

    private sealed class Reporter(Action report) : IProgress<StepStatistics>
    {
        public void Report(StepStatistics value) => report();
    }
}
