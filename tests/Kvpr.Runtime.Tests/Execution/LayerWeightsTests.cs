using System.Linq;
using Kvpr.Cpu;
using Kvpr.Execution;
using Kvpr.Graphs;
using Kvpr.Planning;

namespace Kvpr.Runtime.Tests.Execution;

/// <summary>A streamed layer loaded piece by piece holds exactly the host copy, across tensor boundaries.</summary>
public class LayerWeightsTests
{
    private static readonly ModelSpec Spec = ModelSpec.Opt("pieces", hidden: 16, layers: 2, heads: 2, ffnHidden: 48, vocab: 12, maxPositions: 32);

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(100)]
    public void Loading_every_piece_copies_the_whole_layer_once(int pieces)
    {
        var device = new CpuDevice();
        var random = RandomWeights.Create(Spec, seed: 3);
        var host = new HostWeights(device, random, LayerLayout.PerRole);
        host.LayerElements.ShouldBe(Spec.LayerWeightElements);
        var slot = new LayerWeights(device, host, 0);
        var stream = device.CreateStream();

        long copied = Enumerable.Range(0, pieces).Sum(p => slot.Load(device, stream, host, 1, new WeightPart(p, pieces)));

        copied.ShouldBe(host.LayerElements);
        for (int t = 0; t < LayerLayout.PerRole.Tensors.Count; t++)
            if (host.Tensor(1, t) is { } source)
                CpuBuffer.Of(slot[t]!).Data.ShouldBe(CpuBuffer.Of(source).Data, $"tensor {t}");
    }
}
