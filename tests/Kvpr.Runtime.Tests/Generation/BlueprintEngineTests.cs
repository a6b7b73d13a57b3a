using System;
using System.Collections.Generic;
using System.Linq;
using Kvpr.Graphs;

namespace Kvpr.Runtime.Tests.Generation;

/// <summary>
/// An engine created from a blueprint runs that blueprint's graphs as they are, not graphs built again: the graph
/// each step ran (its timeline) is the blueprint's object, and a blueprint whose graph was altered runs the
/// alteration. Hugging Face's tokens are the truth the unaltered run must match.
/// </summary>
public class BlueprintEngineTests
{
    /// <summary>The fixture of the tests that alter a blueprint.</summary>
    private static readonly FixtureReference Reference = FixtureReference.Get("opt-tiny");

    private static EngineBlueprint Compile(Objective objective = Objective.Latency, int microBatches = 1) => Compile(Reference, objective, microBatches);

    private static EngineBlueprint Compile(FixtureReference reference, Objective objective, int microBatches) =>
        EngineBlueprint.Compile(reference.Spec, HardwareProfiles.Default, new DecodeWorkload
        {
            Objective = objective,
            Batch = reference.Prompts.Length / microBatches,
            MicroBatches = microBatches,
            PromptLength = reference.PromptLength,
            MaxNewTokens = reference.NewTokens,
        });

    private static GenerationResult Generate(Engine engine) => Generate(engine, Reference);

    private static GenerationResult Generate(Engine engine, FixtureReference reference) => engine.Generate(reference.Prompts,
        new GenerationOptions { MaxNewTokens = reference.NewTokens, StopOnEos = false, CaptureLogits = true, RecordTimeline = true });

    public static TheoryData<string, Objective, int> Cases()
    {
        var data = new TheoryData<string, Objective, int>();
        foreach (string fixture in Checkpoints.Fixtures.Names)
        {
            data.Add(fixture, Objective.Latency, 1);
            data.Add(fixture, Objective.Throughput, 2);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_step_runs_the_blueprints_own_graph_and_matches_hugging_face(string fixture, Objective objective, int microBatches)
    {
        var reference = FixtureReference.Get(fixture);
        var blueprint = Compile(reference, objective, microBatches);
        using var engine = blueprint.CreateEngine(reference.Weights);

        var result = Generate(engine, reference);

        engine.Blueprint.ShouldBeSameAs(blueprint);
        var planned = objective == Objective.Latency ? blueprint.RowByRowGraph : blueprint.ColumnByColumnGraph;
        result.Steps.ShouldAllBe(step => ReferenceEquals(step.Timeline!.Graph, planned));
        result.Tokens.ShouldBe(reference.GeneratedTokens);
        for (int s = 0; s < reference.Prompts.Length; s++)
        {
            FixtureReference.WorstDifference(result.Logits!.Prefill[s], reference.PrefillLogits[s]).ShouldBeLessThan(1e-4f, $"prefill logits of sequence {s}");
            FixtureReference.WorstDifference(result.Logits.Generated[s], reference.StepLogits[s]).ShouldBeLessThan(1e-4f, $"step logits of sequence {s}");
        }
        // The CPU backend launches no generated kernels.
        engine.KernelSourceHash.ShouldBeNull();
    }

    [Fact]
    public void A_graph_altered_in_the_blueprint_is_executed_as_given()
    {
        var blueprint = Compile();
        int last = Reference.Spec.Layers - 1;
        var altered = blueprint with { RowByRowGraph = Without(blueprint.RowByRowGraph, n => n.Op == OpKind.MlpBlock && n.Layer == last) };
        using var engine = altered.CreateEngine(Reference.Weights);

        var result = Generate(engine);

        var ran = result.Steps[^1].Timeline!;
        ran.Graph.ShouldBeSameAs(altered.RowByRowGraph);
        ran.Nodes.ShouldNotContain(n => n.Op == OpKind.MlpBlock && n.Layer == last);
        ran.Nodes.ShouldContain(n => n.Op == OpKind.MlpBlock && n.Layer == last - 1);
        // Without the last MLP the logits are not Hugging Face's any more.
        float difference = result.Logits!.Prefill[0].SelectMany(row => row).Zip(Reference.PrefillLogits[0]).Max(pair => Math.Abs(pair.First - pair.Second));
        difference.ShouldBeGreaterThan(1e-2f);
    }

    [Fact]
    public void Options_that_change_the_chunks_get_the_blueprints_graphs_rebuilt_once_and_another_split_runs_without_its_plan()
    {
        var blueprint = Compile();
        using var chunked = blueprint.CreateEngine(Reference.Weights, blueprint.PlannedOptions() with { ActivationChunks = 3 });
        chunked.Blueprint!.RowByRowGraph.ActivationChunks.ShouldBe(3);
        chunked.Blueprint.Plan.ShouldBeSameAs(blueprint.Plan);
        chunked.Blueprint.Kernels.ShouldBeSameAs(blueprint.Kernels);
        Generate(chunked).Tokens.ShouldBe(Reference.GeneratedTokens);

        using var fixedSplit = blueprint.CreateEngine(Reference.Weights, blueprint.PlannedOptions() with { Split = SplitPolicy.Fraction(0.5) });
        fixedSplit.Blueprint.ShouldBeNull();
        Generate(fixedSplit).Tokens.ShouldBe(Reference.GeneratedTokens);
    }

    /// <summary>The graph without the nodes <paramref name="removed"/> picks: ids renumbered, dependencies on a removed node passed on to its own.</summary>
    private static ExecutionGraph Without(ExecutionGraph graph, Func<GraphNode, bool> removed)
    {
        var kept = graph.Nodes.Where(n => !removed(n)).ToArray();
        var newIds = kept.Select((node, index) => (node.Id, index)).ToDictionary(pair => pair.Id, pair => pair.index);
        IEnumerable<int> Through(int id) => newIds.TryGetValue(id, out int newId) ? new[] { newId } : graph.Nodes[id].DependsOn.SelectMany(Through);
        return new ExecutionGraph(graph.Schedule, graph.MicroBatches, graph.ActivationChunks, kept
            .Select(n => new GraphNode(newIds[n.Id], n.Op, n.Layer, n.MicroBatch, n.Stream, n.Tokens, n.Reads, n.Writes, n.DependsOn.SelectMany(Through).Distinct().ToArray()))
            .ToArray());
    }
}
