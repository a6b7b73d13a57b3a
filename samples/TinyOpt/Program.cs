using System;
using System.Linq;

namespace Kvpr.Samples;

/// <summary>Decodes a batch with the generated TinyOpt engine on the CPU, following the plan solved at build time.</summary>
public static class Program
{
    public static void Main()
    {
        Console.WriteLine(TinyOpt.PlanReport);

        var workload = TinyOpt.Workload;
        var random = new Random(7);
        int[][] prompts = Enumerable.Range(0, workload.Batch)
            .Select(_ => Enumerable.Range(0, workload.PromptLength).Select(_ => random.Next(TinyOpt.Spec.Vocab)).ToArray())
            .ToArray();

        using var engine = TinyOpt.CreateEngine(RandomWeights.Create(TinyOpt.Spec, seed: 1));
        var result = engine.Generate(prompts, new GenerationOptions { MaxNewTokens = workload.MaxNewTokens, StopOnEos = false });

        for (int i = 0; i < result.Tokens.Length; i++)
            Console.WriteLine($"sequence {i}: {string.Join(" ", result.Tokens[i])}");
        foreach (var step in result.Steps.Where(s => !s.IsPrefill))
            Console.WriteLine($"step {step.Step}: s' = {step.Length}, recomputed per layer [{string.Join(", ", step.RecomputeTokens)}], " +
                $"{step.HostToDeviceBytes:N0} bytes host→device, {step.DeviceToHostBytes:N0} bytes device→host");
    }
}
