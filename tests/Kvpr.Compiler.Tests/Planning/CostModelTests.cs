using Kvpr.Planning;

namespace Kvpr.Compiler.Tests.Planning;

public class CostModelTests
{
    private static readonly ModelSpec Opt67 = ModelCatalog.Get("opt-6.7b");

    [Fact]
    public void Floors_at_batch_32_prompt_1024_move_17_2_and_8_6_GB_on_opt_6_7b()
    {
        var model = new CostModel(Opt67, HardwareProfiles.Default);
        // 32 layers × 2 (K, V) × 32 sequences × 1024 tokens × 4096 × 2 bytes, and half of it for X.
        model.AllKvBytes(32, 1024).ShouldBe(17_179_869_184L);
        model.AllActivationBytes(32, 1024).ShouldBe(8_589_934_592L);
        // The H100 link's asymptotic rate is ~54.3 GB/s.
        model.FloorAllKvSeconds(32, 1024).ShouldBe(17.18 / 54.3, 0.003);
        model.FloorAllRecomputeSeconds(32, 1024).ShouldBe(8.59 / 54.3, 0.002);
    }

    [Fact]
    public void Recomputing_every_token_of_every_layer_is_about_70_TFLOP()
    {
        var model = new CostModel(Opt67, HardwareProfiles.Default);
        // Per layer 2·b·l·h·2·d_kv = 2 · 32 · 1024 · 4096 · 2 · 4096 = 2.199e12; 32 layers.
        (Opt67.Layers * model.RecomputeFlops(32, 1024)).ShouldBe(70.37e12, 0.01e12);
    }

    [Fact]
    public void Paper_layer_time_is_activation_transfer_plus_the_slower_of_recompute_and_kv_transfer()
    {
        var model = new CostModel(Opt67, HardwareProfiles.Stored("a100-pcie4"), CostSettings.Paper);
        const double v = 32e9, gpu = 312e12;
        int b = 32, s = 256;
        foreach (int l in new[] { 0, 100, 180, 256 })
        {
            double x = (double)b * l * 4096 * 2 / v;
            double kv = 2.0 * b * (s - l) * 4096 * 2 / v;
            double recompute = 2.0 * b * l * 4096 * 2 * 4096 / gpu;
            model.PaperLayerSeconds(new StepShape(b, s, l)).ShouldBe(x + System.Math.Max(recompute, kv), 1e-12);
        }
    }

    [Fact]
    public void Chunked_activations_hide_recompute_behind_the_transfer()
    {
        var model = new CostModel(Opt67, HardwareProfiles.Stored("a100-pcie4"), CostSettings.Paper);
        // With 900 of 1024 tokens recomputed the paper's layer waits for X (7.4 ms), then recomputes (6.2 ms).
        var shape = new StepShape(32, 1024, 900);
        double x = model.ActivationTransferSeconds(32, 900, 1), r = model.RecomputeSeconds(32, 900), kv = model.KvTransferSeconds(32, 124);
        model.PipelinedLayerSeconds(shape, 4).ShouldBe(System.Math.Max(x + kv, System.Math.Max(x + r / 4, x / 4 + r)), 1e-12);
        model.PipelinedLayerSeconds(shape, 4).ShouldBeLessThan(model.PaperLayerSeconds(shape));
    }

    [Fact]
    public void Small_gemms_are_bound_by_reading_the_weights()
    {
        var profile = HardwareProfiles.Default;
        var model = new CostModel(Opt67, profile);
        // M = 32 rows against a 4096 × 16384 weight: 134 MB read at 3 TB/s ≫ 4.3 GFLOP at ~721 TFLOP/s.
        double bytes = (32.0 * 4096 + 4096.0 * 16384 + 32.0 * 16384) * 2;
        model.GemmSeconds(32, 4096, 16384).ShouldBe(bytes / 3000e9 + 4e-6, 1e-9);
        // A large GEMM runs at the measured rate.
        model.GemmSeconds(8192, 4096, 8192).ShouldBe(2.0 * 8192 * 4096 * 8192 / 875e12 + 4e-6, 1e-9);
    }

    [Fact]
    public void A_step_is_bounded_by_its_busiest_engine()
    {
        var model = new CostModel(Opt67, HardwareProfiles.Default);
        var shape = new StepShape(32, 1024, 0);
        var allOffloaded = model.Step(shape, Residency.WeightsOnly(Opt67));
        // Without recompute every layer's KV crosses the link: the all-KV floor plus per-copy latencies.
        allOffloaded.LinkSeconds.ShouldBeGreaterThanOrEqualTo(model.FloorAllKvSeconds(32, 1024));
        allOffloaded.LinkSeconds.ShouldBe(model.FloorAllKvSeconds(32, 1024), 0.001);
        allOffloaded.Seconds.ShouldBe(allOffloaded.LinkSeconds, 1e-12);

        var allResident = model.Step(shape, new Residency(Opt67.Layers, Opt67.Layers));
        allResident.LinkSeconds.ShouldBe(0);
        allResident.Seconds.ShouldBe(allResident.GpuSeconds);
        allResident.Seconds.ShouldBeLessThan(allOffloaded.Seconds / 10);
    }

    [Fact]
    public void Streamed_weights_cross_the_link_once_per_layer_for_all_micro_batches()
    {
        var model = new CostModel(Opt67, HardwareProfiles.Default);
        var shape = new StepShape(8, 512, 0);
        var kvResident = new Residency(Opt67.Layers, 0);
        double oneGroup = model.Step(shape, kvResident, microBatches: 4).LinkSeconds;
        oneGroup.ShouldBe(Opt67.Layers * model.TransferSeconds(model.WeightBytesPerLayer), 1e-12);
        model.Step(shape, kvResident, microBatches: 1).LinkSeconds.ShouldBe(oneGroup, 1e-12);
    }
}
