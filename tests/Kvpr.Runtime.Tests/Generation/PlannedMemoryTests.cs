using System;
using System.Linq;
using Kvpr.Graphs;
using Kvpr.Planning;
using Kvpr.Runtime.Tests.Execution;

namespace Kvpr.Runtime.Tests.Generation;

/// <summary>
/// What an engine and one generation allocate on the device is what the planner counts for the workload (its GPU
/// bytes less the runtime reserve, which is the CUDA context's), over models, schedules, residencies, batches and
/// micro-batches; a cap below that fails before anything is allocated.
/// </summary>
public class PlannedMemoryTests
{
    private static readonly ModelSpec Opt = ModelSpec.Opt("memory-opt", hidden: 64, layers: 4, heads: 4, ffnHidden: 256, vocab: 96, maxPositions: 64);

    private static readonly ModelSpec Llama = ModelSpec.Llama("memory-llama", hidden: 64, layers: 4, heads: 4, kvHeads: 2, ffnHidden: 160, vocab: 80, maxPositions: 64);

    public static TheoryData<string, ScheduleKind, int, int, int, int> Cases()
    {
        var data = new TheoryData<string, ScheduleKind, int, int, int, int>();
        foreach (string model in new[] { "opt", "llama" })
            foreach (var (kv, weights) in new[] { (0, 0), (2, 1), (4, 4), (0, 4), (4, 0) })
            {
                data.Add(model, ScheduleKind.RowByRow, 1, 3, kv, weights);
                data.Add(model, ScheduleKind.ColumnByColumn, 2, 2, kv, weights);
                data.Add(model, ScheduleKind.ColumnByColumn, 4, 1, kv, weights);
            }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_generation_allocates_the_plans_gpu_bytes(string model, ScheduleKind schedule, int microBatches, int batch, int kvResident, int weightsResident)
    {
        var spec = model == "opt" ? Opt : Llama;
        var residency = new Residency(kvResident, weightsResident);
        const int prompt = 5, newTokens = 4;
        var workload = new DecodeWorkload
        {
            Objective = microBatches > 1 ? Objective.Throughput : Objective.Latency,
            Batch = batch, PromptLength = prompt, MaxNewTokens = newTokens, MicroBatches = microBatches,
        };
        long planned = new MemoryModel(new CostModel(spec, HardwareProfiles.Default), workload).BytesFor(residency) - MemoryModel.RuntimeReserveBytes;
        var device = new CountingDevice(spec.ElementBytes);
        using var engine = new Engine(RandomWeights.Create(spec, seed: 2),
            new EngineOptions { Schedule = schedule, MicroBatches = microBatches, Split = SplitPolicy.Fraction(0.5), Residency = residency }, device, device.Ops);

        engine.Generate(Prompts(spec, batch * microBatches, prompt), new GenerationOptions { MaxNewTokens = newTokens, StopOnEos = false });

        // The closed form of the largest parts: resident weights and KV, and the slots of what streams.
        long layerWeights = spec.LayerWeightElements * 2, layerKv = 2L * batch * microBatches * (prompt + newTokens) * spec.KvDim * 2;
        long streamingSlots = (weightsResident < spec.Layers ? 2 * layerWeights : 0)
            + (kvResident < spec.Layers ? 2L * 2 * (2L * batch * (prompt + newTokens) * spec.KvDim + batch * (prompt + newTokens) * spec.Hidden) : 0);
        planned.ShouldBeGreaterThan(weightsResident * layerWeights + kvResident * layerKv + streamingSlots);
        Math.Abs(device.DeviceBytes - planned).ShouldBeLessThanOrEqualTo(planned / 100, $"allocated {device.DeviceBytes:N0}, planned {planned:N0}");
    }

    [Fact]
    public void A_cap_below_the_plan_fails_before_allocating_and_names_the_budget_that_fits()
    {
        var residency = new Residency(0, 0);
        var workload = new DecodeWorkload { Batch = 2, PromptLength = 5, MaxNewTokens = 4 };
        long needed = new MemoryModel(new CostModel(Opt, HardwareProfiles.Default), workload).BytesFor(residency);
        var device = new CountingDevice(Opt.ElementBytes);
        using var engine = new Engine(RandomWeights.Create(Opt, seed: 2),
            new EngineOptions { Split = SplitPolicy.None, Residency = residency, GpuMemoryBytes = needed - 1 }, device, device.Ops);
        long engineBytes = device.DeviceBytes;

        var error = Should.Throw<InsufficientMemoryException>(() => engine.Generate(Prompts(Opt, 2, 5), new GenerationOptions { MaxNewTokens = 4 }));

        error.Message.ShouldContain($"{needed:N0} bytes would fit");
        device.DeviceBytes.ShouldBe(engineBytes);
    }

    [Fact]
    public void A_residency_beyond_the_models_layers_is_refused_naming_it()
    {
        var error = Should.Throw<ArgumentOutOfRangeException>(() => new Engine(RandomWeights.Create(Opt, seed: 2), new EngineOptions { Residency = new Residency(0, Opt.Layers + 1) }));

        error.ParamName.ShouldBe(nameof(EngineOptions.Residency));
        error.Message.ShouldContain($"between 0 and {Opt.Layers}");
    }

    [Fact]
    public void Recomputing_every_token_keeps_no_kv_on_the_host_and_writes_back_only_activations()
    {
        var reference = FixtureReference.Get("opt-tiny");
        var spec = reference.Spec;
        using var engine = new Engine(reference.Weights, new EngineOptions { Split = SplitPolicy.All, Residency = new Residency(1, spec.Layers) });

        var result = engine.Generate(reference.Prompts, new GenerationOptions { MaxNewTokens = reference.NewTokens, StopOnEos = false });

        for (int s = 0; s < reference.Prompts.Length; s++)
            result.Tokens[s].ShouldBe(reference.GeneratedTokens[s], $"sequence {s}");
        // Only the offloaded layers write back, and only X (4-byte elements on the CPU backend).
        foreach (var step in result.Steps.Skip(1))
            step.DeviceToHostBytes.ShouldBe(4L * reference.Prompts.Length * spec.Hidden * (spec.Layers - 1));
    }

    private static int[][] Prompts(ModelSpec spec, int sequences, int length) =>
        Enumerable.Range(0, sequences).Select(s => Enumerable.Range(0, length).Select(t => (s * 7 + t * 3) % spec.Vocab).ToArray()).ToArray();
}
