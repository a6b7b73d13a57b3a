using System;
using Kvpr.Cpu;
using Kvpr.Store;

namespace Kvpr.Runtime.Tests.Store;

public class HostKvStoreTests
{
    private static readonly ModelSpec Spec = ModelSpec.Llama("store", hidden: 16, layers: 3, heads: 4, kvHeads: 2, ffnHidden: 32, vocab: 10, maxPositions: 64);

    [Fact]
    public void Offsets_are_token_major_per_sequence()
    {
        var store = new HostKvStore(new CpuDevice(), Spec, batch: 2, capacity: 10);

        store.ActivationOffset(0, 3).ShouldBe(3 * 16);
        store.ActivationOffset(1, 0).ShouldBe(10 * 16);
        store.KvOffset(1, 4).ShouldBe((10 + 4) * 8);
        store.Keys(2).Length.ShouldBe(2 * 10 * 8);
        store.Activations(0).Length.ShouldBe(2 * 10 * 16);
    }

    [Fact]
    public void A_store_keeps_nothing_of_kv_resident_layers_and_no_kv_when_everything_is_recomputed()
    {
        var store = new HostKvStore(new CpuDevice(), Spec, batch: 2, capacity: 10, firstOffloadedLayer: 1, keepsKv: false);

        store.Activations(1).Length.ShouldBe(2 * 10 * 16);
        store.KeepsKv.ShouldBeFalse();
        Should.Throw<InvalidOperationException>(() => store.Activations(0)).Message.ShouldContain("Layer 0 keeps its KV on the device");
        Should.Throw<InvalidOperationException>(() => store.Keys(2)).Message.ShouldContain("keeps no K");
    }

    [Fact]
    public void Appending_past_the_capacity_is_refused()
    {
        var store = new HostKvStore(new CpuDevice(), Spec, batch: 1, capacity: 4);
        store.Append(3);
        store.Append(1);
        store.Length.ShouldBe(4);

        Should.Throw<InvalidOperationException>(() => store.Append(1)).Message.ShouldContain("holds 4 tokens");
    }
}
