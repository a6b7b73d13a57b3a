using System;

namespace Kvpr.Samples;

public static class Program
{
    public static void Main()
    {
        var spec = TinyOpt.Spec;
        Console.WriteLine($"{spec.Name}: {spec.Layers} layers, hidden {spec.Hidden}, {spec.Heads} heads, {TinyOpt.WeightMap.Entries.Count} weights.");
        Console.WriteLine($"Plan: {TinyOpt.Plan.Residency}, {TinyOpt.RowByRowGraph.Nodes.Count} nodes per row-by-row step.");
    }
}
