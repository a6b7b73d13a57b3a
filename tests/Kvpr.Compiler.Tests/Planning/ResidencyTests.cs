using System.Linq;
using Kvpr.Planning;

namespace Kvpr.Compiler.Tests.Planning;

/// <summary>Which layers stream their weights: exactly the planned count, spread evenly, layer 0 kept while any is.</summary>
public class ResidencyTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(48)]
    [InlineData(80)]
    public void Streamed_layers_are_the_planned_count_evenly_spaced_and_numbered_in_layer_order(int layers)
    {
        for (int resident = 0; resident <= layers; resident++)
        {
            var residency = new Residency(0, resident);
            var streamed = Enumerable.Range(0, layers).Where(layer => !residency.AreWeightsResident(layer, layers)).ToArray();
            streamed.Length.ShouldBe(layers - resident);
            residency.StreamedLayerCount(layers).ShouldBe(layers - resident);
            residency.StreamedLayers(layers).ShouldBe(streamed);
            streamed.Select(layer => residency.StreamedOrdinal(layer, layers)).ShouldBe(Enumerable.Range(0, streamed.Length));
            if (resident > 0)
                residency.AreWeightsResident(0, layers).ShouldBeTrue($"{resident} of {layers} resident");
            if (streamed.Length > 0)
                streamed[^1].ShouldBe(layers - 1);
            // Evenly spread: the gaps between consecutive streamed layers differ by at most one.
            var gaps = streamed.Zip(streamed.Skip(1), (a, b) => b - a).ToArray();
            if (gaps.Length > 0)
                (gaps.Max() - gaps.Min()).ShouldBeLessThanOrEqualTo(1, $"{resident} of {layers} resident");
        }
    }

    [Fact]
    public void Opt_30b_at_a_40_gb_cap_alternates_resident_and_streamed_layers()
    {
        // 20 of 48 layers streamed: one every 48 / 20 = 2.4 layers, so consecutive streamed layers lie 2 or 3 apart.
        var residency = new Residency(0, 28);
        var streamed = Enumerable.Range(0, 48).Where(layer => !residency.AreWeightsResident(layer, 48)).ToArray();
        streamed.Zip(streamed.Skip(1), (a, b) => b - a).Distinct().OrderBy(gap => gap).ShouldBe(new[] { 2, 3 });
        residency.AreWeightsResident(0, 48).ShouldBeTrue();
        residency.AreWeightsResident(1, 48).ShouldBeTrue();
    }

    [Theory]
    [InlineData(0, 32)]
    [InlineData(5, 27)]
    [InlineData(32, 0)]
    public void Offloaded_layers_are_those_without_resident_kv(int kvResident, int offloaded)
    {
        new Residency(kvResident, 0).OffloadedLayers(32).ShouldBe(offloaded);
    }
}
