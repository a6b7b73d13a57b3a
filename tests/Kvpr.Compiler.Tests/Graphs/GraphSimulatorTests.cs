using System;
using System.Linq;
using Kvpr.Graphs;
using Kvpr.Planning;

namespace Kvpr.Compiler.Tests.Graphs;

public class GraphSimulatorTests
{
    private const double LinkBytesPerSecond = 10e9, GemmFlopsPerSecond = 100e12;
    private static readonly ModelSpec Tiny = ModelCatalog.Get(ModelCatalog.TinyName);
    private static readonly ModelSpec Opt67 = ModelCatalog.Get("opt-6.7b");

    /// <summary>A machine whose copies and GEMMs have closed-form times: no latency, one bandwidth, one FLOP rate.</summary>
    private static readonly HardwareProfile Synthetic = new()
    {
        Name = "synthetic",
        Device = "closed-form test machine",
        GpuMemoryBytes = 1L << 34,
        HostMemoryBytes = 1L << 36,
        HostToDeviceSamples = new[] { new TransferSample(1L << 30, LinkBytesPerSecond) },
        DeviceToHostSamples = new[] { new TransferSample(1L << 30, LinkBytesPerSecond) },
        GemmSamples = new[] { new GemmSample(1024, 1024, 1024, GemmFlopsPerSecond) },
        DeviceMemoryBytesPerSecond = 1e12,
    };

    private static CostModel PaperCosts(ModelSpec spec) => new(spec, Synthetic, CostSettings.Paper);

    [Fact]
    public void Without_recompute_a_link_bound_step_takes_exactly_the_weights_and_kv_over_the_link()
    {
        const int batch = 4, length = 100;
        var graph = ExecutionGraphBuilder.RowByRow(Tiny, new Residency(0, 0), 2);
        var step = GraphSimulator.Run(graph, new StepShape(batch, length, 0), PaperCosts(Tiny));

        double weightBytes = 2.0 * (4 * 256 * 256 + 4 * 256 + 2 * 256 * 1024 + 1024 + 256 + 4 * 256);
        double kvBytes = 2.0 * batch * length * 256 * 2;
        step.StepSeconds.ShouldBe(Tiny.Layers * (weightBytes + kvBytes) / LinkBytesPerSecond, 1e-15);
        step.BusySeconds(StreamKind.HostToDevice).ShouldBe(step.StepSeconds, 1e-15); // the link never idles
    }

    [Fact]
    public void Recomputing_everything_takes_the_activations_over_the_link_plus_the_last_chunks_recompute()
    {
        const int batch = 4, length = 128, chunks = 4;
        var graph = ExecutionGraphBuilder.RowByRow(Tiny, Residency.WeightsOnly(Tiny), chunks);
        var step = GraphSimulator.Run(graph, new StepShape(batch, length, length), PaperCosts(Tiny));

        double activationSeconds = batch * length * 256 * 2.0 / LinkBytesPerSecond;
        double recomputeSeconds = 2.0 * batch * length * 256 * 2 * 256 / GemmFlopsPerSecond;
        recomputeSeconds.ShouldBeLessThan(activationSeconds / chunks, "the closed form assumes recompute keeps up with the link");
        step.StepSeconds.ShouldBe(Tiny.Layers * activationSeconds + recomputeSeconds / chunks, 1e-15);
    }

    [Fact]
    public void Opt_6_7b_step_without_recompute_sits_on_the_all_kv_transfer_floor()
    {
        var profile = HardwareProfiles.Default;
        var graph = ExecutionGraphBuilder.RowByRow(Opt67, Residency.WeightsOnly(Opt67), 4);
        var step = GraphSimulator.Run(graph, new StepShape(32, 1024, 0), new CostModel(Opt67, profile));

        double allKvBytes = 2.0 * 32 * 1024 * 4096 * 2 * 32; // 17.2 GB
        double floor = allKvBytes / profile.HostToDevice.BytesPerSecond;
        step.StepSeconds.ShouldBeGreaterThanOrEqualTo(floor);
        step.StepSeconds.ShouldBe(floor, floor * 0.02);
    }

    [Fact]
    public void Opt_6_7b_step_recomputing_everything_approaches_the_activation_floor()
    {
        var profile = HardwareProfiles.Default;
        var graph = ExecutionGraphBuilder.RowByRow(Opt67, Residency.WeightsOnly(Opt67), 4);
        var step = GraphSimulator.Run(graph, new StepShape(32, 1024, 1024), new CostModel(Opt67, profile));

        double allActivationBytes = 32.0 * 1024 * 4096 * 2 * 32; // 8.6 GB
        double floor = allActivationBytes / profile.HostToDevice.BytesPerSecond;
        step.StepSeconds.ShouldBeGreaterThanOrEqualTo(floor);
        step.StepSeconds.ShouldBe(floor, floor * 0.03);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(256)]
    [InlineData(512)]
    [InlineData(717)]
    [InlineData(960)]
    [InlineData(1024)]
    public void Simulated_opt_6_7b_step_agrees_with_the_planners_prediction(int recomputeTokens)
    {
        var costs = new CostModel(Opt67, HardwareProfiles.Default);
        var shape = new StepShape(32, 1024, recomputeTokens);
        var residency = Residency.WeightsOnly(Opt67);
        var graph = ExecutionGraphBuilder.RowByRow(Opt67, residency, costs.Settings.ActivationChunks);

        double predicted = costs.Step(shape, residency).Seconds;
        GraphSimulator.Run(graph, shape, costs).StepSeconds.ShouldBe(predicted, predicted * 0.02);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(24_000_000_000L)]
    public void Simulated_steps_of_the_opt_6_7b_h100_plan_agree_with_its_predictions(long? gpuMemoryBytes)
    {
        var workload = new DecodeWorkload { Batch = 32, PromptLength = 1024, MaxNewTokens = 32, GpuMemoryBytes = gpuMemoryBytes };
        var plan = DecodePlanner.Plan(Opt67, HardwareProfiles.Default, workload).GetPlanOrThrow();
        var costs = new CostModel(Opt67, HardwareProfiles.Default);
        var graph = ExecutionGraphBuilder.RowByRow(Opt67, plan.Residency, costs.Settings.ActivationChunks);

        foreach (var step in plan.Steps)
        {
            double simulatedMs = GraphSimulator.Run(graph, step.Shape, costs).StepSeconds * 1e3;
            simulatedMs.ShouldBe(step.Times.PredictedMs, step.Times.PredictedMs * 0.10, $"step at s' = {step.Length}, l = {step.RecomputeTokens}");
        }
    }

    [Theory]
    [InlineData(2, 0, 0)]
    [InlineData(3, 4, 8)]
    public void Simulated_column_by_column_step_agrees_with_the_planners_group_prediction(int microBatches, int kvResident, int weightResident)
    {
        var costs = new CostModel(Opt67, HardwareProfiles.Default);
        var shape = new StepShape(8, 512, 300);
        var residency = new Residency(kvResident, weightResident);
        var graph = ExecutionGraphBuilder.ColumnByColumn(Opt67, residency, microBatches, costs.Settings.ActivationChunks);

        double predicted = costs.Step(shape, residency, microBatches).Seconds;
        GraphSimulator.Run(graph, shape, costs).StepSeconds.ShouldBe(predicted, predicted * 0.10);
    }

    [Fact]
    public void Nodes_whose_tokens_are_empty_are_no_ops_that_take_no_time()
    {
        var graph = ExecutionGraphBuilder.RowByRow(Tiny, new Residency(0, 0), 4);
        var costs = new CostModel(Tiny, HardwareProfiles.Default);

        var nothingRecomputed = GraphSimulator.Run(graph, new StepShape(2, 50, 0), costs);
        nothingRecomputed.Timings.Where(t => t.IsNoOp).Select(t => t.Node.Op).Distinct()
            .ShouldBe(new[] { OpKind.LoadActivations, OpKind.RecomputeKv }, ignoreOrder: true);

        var twoTokens = GraphSimulator.Run(graph, new StepShape(2, 50, 2), costs);
        var recomputes = twoTokens.Timings.Where(t => t.Node.Op == OpKind.RecomputeKv && t.Node.Layer == 0).ToArray();
        recomputes.Select(t => t.IsNoOp).ShouldBe(new[] { false, false, true, true }); // chunks of ⌈2/4⌉ = 1 token
        recomputes[0].Work.Flops.ShouldBe(2L * 2 * 1 * 256 * 2 * 256);

        var everythingRecomputed = GraphSimulator.Run(graph, new StepShape(2, 50, 50), costs);
        foreach (var timing in everythingRecomputed.Timings.Where(t => t.IsNoOp))
        {
            timing.Node.Op.ShouldBe(OpKind.LoadKv);
            timing.Seconds.ShouldBe(0);
            timing.Work.ShouldBe(NodeWork.None);
        }
    }

    [Theory]
    [InlineData(ScheduleKind.RowByRow, 1)]
    [InlineData(ScheduleKind.ColumnByColumn, 3)]
    public void Nodes_wait_for_their_dependencies_and_stream_and_never_share_an_engine(ScheduleKind schedule, int microBatches)
    {
        var residency = new Residency(1, 2);
        var graph = schedule == ScheduleKind.RowByRow
            ? ExecutionGraphBuilder.RowByRow(Tiny, residency, 3)
            : ExecutionGraphBuilder.ColumnByColumn(Tiny, residency, microBatches, 3);
        var step = GraphSimulator.Run(graph, new StepShape(4, 200, 70), new CostModel(Tiny, HardwareProfiles.Default));

        foreach (var timing in step.Timings)
            foreach (int dependency in timing.Node.DependsOn)
                timing.StartSeconds.ShouldBeGreaterThanOrEqualTo(step.Timings[dependency].EndSeconds);
        foreach (var stream in graph.Streams)
        {
            var onStream = step.Timings.Where(t => t.Node.Stream == stream).ToArray();
            for (int i = 1; i < onStream.Length; i++)
                onStream[i].StartSeconds.ShouldBeGreaterThanOrEqualTo(onStream[i - 1].EndSeconds);
        }
        // All host→device streams share one link: their copies never overlap.
        var copies = step.Timings.Where(t => !t.IsNoOp && t.Node.Op is OpKind.LoadWeights or OpKind.LoadActivations or OpKind.LoadKv)
            .OrderBy(t => t.StartSeconds).ToArray();
        for (int i = 1; i < copies.Length; i++)
            copies[i].StartSeconds.ShouldBeGreaterThanOrEqualTo(copies[i - 1].EndSeconds - 1e-15);
    }

    [Fact]
    public void An_invalid_graph_or_shape_is_refused()
    {
        var bad = new ExecutionGraph(ScheduleKind.RowByRow, 1, 1, new[]
        {
            new GraphNode(0, OpKind.MlpBlock, 0, 0, StreamKind.Compute, TokenRange.NewToken, new[] { new BufferUse(BufferKind.Hidden, 0) }, Array.Empty<BufferUse>(), Array.Empty<int>()),
        });
        var costs = new CostModel(Tiny, HardwareProfiles.Default);
        Should.Throw<InvalidGraphException>(() => GraphSimulator.Run(bad, new StepShape(1, 10, 0), costs));
        var graph = ExecutionGraphBuilder.RowByRow(Tiny, new Residency(0, 0), 1);
        Should.Throw<ArgumentOutOfRangeException>(() => GraphSimulator.Run(graph, new StepShape(1, 10, 11), costs)).ParamName.ShouldBe("shape");
    }

    [Fact]
    public void Streamed_weights_spread_and_in_pieces_overlap_the_compute_of_resident_layers()
    {
        // OPT-30B at a 40 GB cap (issue 10): 20 of 48 layers streamed, every stored token recomputed, 16 micro-batches of 4.
        // A streamed layer needs more link time than its compute and a resident one less; only if the next streamed
        // layer's weights cross during resident layers is the step as long as its busiest resource.
        var spec = ModelCatalog.Get("opt-30b");
        var costs = new CostModel(spec, Synthetic, CostSettings.Paper);
        var graph = ExecutionGraphBuilder.ColumnByColumn(spec, new Residency(0, 28), 16, 4);
        var step = GraphSimulator.Run(graph, new StepShape(4, 512, 512), costs);

        double compute = step.BusySeconds(StreamKind.Compute);
        double link = step.BusySeconds(StreamKind.ActivationLoad) + step.BusySeconds(StreamKind.KvLoad);
        step.StepSeconds.ShouldBeLessThan(1.05 * Math.Max(compute, link), $"compute {compute * 1e3:F1} ms, link {link * 1e3:F1} ms");
    }
}
