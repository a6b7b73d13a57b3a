using System;
using System.Collections.Concurrent;
using System.IO;
using System.Linq;
using Kvpr.Checkpoints;
using Kvpr.Runtime.Tests.Checkpoints;

namespace Kvpr.Runtime.Tests.Generation;

/// <summary>
/// A fixture checkpoint's model and weights with what Hugging Face computed for it (reference.safetensors):
/// the prompts, prefill logits at every position, 20 greedy tokens and the logits each was chosen from.
/// </summary>
internal sealed class FixtureReference
{
    private static readonly ConcurrentDictionary<string, FixtureReference> Loaded = new();

    private FixtureReference(string fixture)
    {
        string folder = Fixtures.Folder(fixture);
        Spec = HuggingFaceConfig.Read(Path.Combine(folder, HuggingFaceConfig.FileName));
        // Kept open for the test run: engines read the weights from the mapped file when they are built.
        Weights = CheckpointWeights.Load(Checkpoint.Open(folder), Spec);

        var outputs = ReferenceOutputs.Read(folder);
        Prompts = outputs.Prompts;
        GeneratedTokens = outputs.GeneratedTokens;
        PrefillLogits = outputs.PrefillLogits.Select(Flatten).ToArray();
        StepLogits = outputs.StepLogits.Select(Flatten).ToArray();
        PromptLength = Prompts[0].Length;
    }

    public ModelSpec Spec { get; }
    public ModelWeights Weights { get; }
    public int[][] Prompts { get; }
    public int PromptLength { get; }
    public int NewTokens => GeneratedTokens[0].Length;
    public int[][] GeneratedTokens { get; }
    /// <summary>Per sequence: [prompt][vocab].</summary>
    public float[][] PrefillLogits { get; }
    /// <summary>Per sequence: [generated][vocab].</summary>
    public float[][] StepLogits { get; }

    public static FixtureReference Get(string fixture) => Loaded.GetOrAdd(fixture, name => new FixtureReference(name));

    /// <summary>The largest |actual − expected| over captured logit rows and a reference's flattened rows (their counts must agree).</summary>
    public static float WorstDifference(System.Collections.Generic.IReadOnlyList<float[]> actual, float[] expected)
    {
        int vocab = actual[0].Length;
        actual.Count.ShouldBe(expected.Length / vocab);
        float worst = 0;
        for (int row = 0; row < actual.Count; row++)
            for (int i = 0; i < vocab; i++)
                worst = Math.Max(worst, Math.Abs(actual[row][i] - expected[row * vocab + i]));
        return worst;
    }

    /// <summary>
    /// <paramref name="result"/>, a generation of <see cref="NewTokens"/> tokens from <see cref="Prompts"/> with captured
    /// logits, has Hugging Face's greedy tokens, and its prefill and step logits are within <paramref name="tolerance"/> of its.
    /// </summary>
    public void ShouldMatch(GenerationResult result, float tolerance)
    {
        for (int s = 0; s < Prompts.Length; s++)
        {
            result.Tokens[s].ShouldBe(GeneratedTokens[s], $"sequence {s}");
            WorstDifference(result.Logits!.Prefill[s], PrefillLogits[s]).ShouldBeLessThan(tolerance, $"prefill logits of sequence {s}");
            WorstDifference(result.Logits.Generated[s], StepLogits[s]).ShouldBeLessThan(tolerance, $"step logits of sequence {s}");
        }
    }

    private static float[] Flatten(float[][] rows) => rows.SelectMany(row => row).ToArray();
}
