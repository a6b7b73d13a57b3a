using System;
using System.Collections.Generic;
using System.Linq;

namespace Kvpr.Runtime.Tests.Generation;

/// <summary>
/// A decode step's host work allocates little: the logits are neither copied into a new array nor sampled from
/// one per step, and the graph's nodes are queued without LINQ or per-launch collections.
/// </summary>
public class StepAllocationTests
{
    // A vocabulary large enough that a step's logits (4 sequences × 8192 floats = 128 KiB) dwarf the bound.
    private static readonly ModelSpec WideVocab = ModelSpec.Llama("alloc-llama", hidden: 32, layers: 2, heads: 4, kvHeads: 2, ffnHidden: 48, vocab: 8192, maxPositions: 64);
    private static readonly int[][] Prompts = Enumerable.Range(0, 4).Select(s => new[] { 1 + s, 2, 3, 4 }).ToArray();

    [Fact]
    public void A_greedy_decode_step_allocates_far_less_than_its_logits()
    {
        using var engine = new Engine(RandomWeights.Create(WideVocab, seed: 3), new EngineOptions { Split = SplitPolicy.Fraction(0.5) });
        var perStep = new AllocationsPerStep();

        engine.Generate(Prompts, new GenerationOptions { MaxNewTokens = 12, StopOnEos = false }, progress: perStep);

        long logitsBytes = (long)Prompts.Length * WideVocab.Vocab * sizeof(float);
        perStep.DecodeSteps.Count.ShouldBe(11);
        // The first decode step may still grow buffers kept for the later ones. A typical step stays far below the
        // logits; no step may copy them (the runtime itself, tiered JIT say, may allocate a few KB on one step).
        var later = perStep.DecodeSteps.Skip(1).Order().ToArray();
        later[later.Length / 2].ShouldBeLessThan(logitsBytes / 8);
        later[^1].ShouldBeLessThan(logitsBytes / 2);
    }

    /// <summary>Reports on the generating thread (unlike Progress&lt;T&gt;), so the thread's allocation counter brackets each step.</summary>
    private sealed class AllocationsPerStep : IProgress<StepStatistics>
    {
        private long _last;

        public List<long> DecodeSteps { get; } = new();

        public void Report(StepStatistics value)
        {
            long now = GC.GetAllocatedBytesForCurrentThread();
            if (!value.IsPrefill)
                DecodeSteps.Add(now - _last);
            _last = now;
        }
    }
}
