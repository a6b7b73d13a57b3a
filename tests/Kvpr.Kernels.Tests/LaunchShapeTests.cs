using System;
using System.Linq;

namespace Kvpr.Kernels.Tests;

public class LaunchShapeTests
{
    [Fact]
    public void Row_kernels_launch_a_block_per_row()
    {
        var kernels = KernelEmitter.Emit(FixtureSpecs.OptTiny);

        kernels[KernelNames.Normalize].Grid(new LaunchSizes { Rows = 24 }).ShouldBe(new Dim3(24, 1, 1));
        kernels[KernelNames.Normalize].Launch.Block.ShouldBe(new Dim3(1024, 1, 1));
        kernels[KernelNames.MlpActivation].Launch.Block.ShouldBe(new Dim3(256, 1, 1));
        kernels[KernelNames.Sample].Launch.BlockThreads.ShouldBe(1024);
    }

    [Fact]
    public void Elementwise_kernels_tile_their_rows_and_epilogues_take_groups_of_heads()
    {
        // OPT-6.7B: FFN 16384 and hidden 4096 in tiles of 256 threads x 4 columns; heads of 128 = 64 column pairs,
        // so a 256-thread epilogue block takes 4 heads: 32 q + 2 x 32 KV heads in 24 blocks, 64 KV heads in 16.
        var kernels = KernelEmitter.Emit(FixtureSpecs.Opt6_7B);
        var decode = new LaunchSizes { Rows = 32 };

        kernels[KernelNames.MlpActivation].Grid(decode).ShouldBe(new Dim3(32, 16, 1));
        kernels[KernelNames.ResidualAddBias].Grid(decode).ShouldBe(new Dim3(32, 4, 1));
        kernels[KernelNames.Embed].Grid(decode).ShouldBe(new Dim3(32, 4, 1));
        kernels[KernelNames.QkvEpilogue].Grid(decode).ShouldBe(new Dim3(32, 24, 1));
        kernels[KernelNames.KvRecomputeEpilogue].Grid(new LaunchSizes { Rows = 32 * 257 }).ShouldBe(new Dim3(32 * 257, 16, 1));
        // A width that is not a multiple of the tile gets one more, partly idle, tile (llama-tiny-gqa: FFN 192).
        KernelEmitter.Emit(FixtureSpecs.LlamaTinyGqa)[KernelNames.MlpGatedActivation].Grid(new LaunchSizes { Rows = 5 }).ShouldBe(new Dim3(5, 1, 1));
    }

    [Fact]
    public void Decode_attention_serves_a_kv_group_per_block()
    {
        // llama-tiny-gqa: 4 query heads over 2 KV heads, so a block takes the 2 query heads of one KV head.
        var kernels = KernelEmitter.Emit(FixtureSpecs.LlamaTinyGqa);

        kernels[KernelNames.DecodeAttention].Grid(new LaunchSizes { Batch = 8, Partitions = 3 }).ShouldBe(new Dim3(3, 2, 8));
        // Prefill blocks also take 16 query tokens each: 40 tokens need 3 blocks.
        CudaDeclarations.IntConstants(kernels.Source)["PREFILL_QUERIES"].ShouldBe(16);
        kernels[KernelNames.PrefillAttention].Grid(new LaunchSizes { Batch = 2, Tokens = 40 }).ShouldBe(new Dim3(3, 2, 2));
        kernels[KernelNames.PrefillAttention].Launch.ToString().ShouldBe("grid (ceil(tokens / 16), 2, batch), block 128 threads");
        kernels[KernelNames.AttentionCombine].Grid(new LaunchSizes { Batch = 8 }).ShouldBe(new Dim3(4, 8, 1));
        kernels[KernelNames.AttentionCombine].Launch.BlockThreads.ShouldBe(16);
    }

    [Theory]
    [InlineData(4, 4, 1)] // a group of 4 fits one decode block
    [InlineData(4, 8, 2)] // 8 heads share a KV head: two blocks of 4
    [InlineData(1, 6, 2)] // 6 heads: two blocks of 3, the largest divisor of 6 up to 4
    [InlineData(7, 7, 7)] // 7 is prime: a block per head
    public void Decode_blocks_take_at_most_four_heads_of_a_group_whose_state_lives_in_registers(int kvHeads, int group, int headBlocksPerKvHead)
    {
        var spec = ModelSpec.Llama("gqa", hidden: 64 * kvHeads * group, layers: 1, heads: kvHeads * group, kvHeads: kvHeads, ffnHidden: 256);
        var kernels = KernelEmitter.Emit(spec);

        kernels[KernelNames.DecodeAttention].Grid(new LaunchSizes { Batch = 2, Partitions = 5 }).ShouldBe(new Dim3(5, kvHeads * headBlocksPerKvHead, 2));
        CudaDeclarations.IntConstants(kernels.Source)["DECODE_HEADS_PER_BLOCK"].ShouldBe(group / headBlocksPerKvHead);
    }

    [Fact]
    public void Wide_query_groups_are_split_so_the_attention_state_fits_static_shared_memory()
    {
        // 16 query heads share one KV head of dimension 248 (not a multiple of 16, so prefill stays on CUDA cores): all 16
        // would need 16 × (3·248 + 64 + 4) × 4 bytes = 51 KB.
        var spec = ModelSpec.Llama("mqa", hidden: 16 * 248, layers: 1, heads: 16, kvHeads: 1, ffnHidden: 1024);
        var ints = CudaDeclarations.IntConstants(KernelEmitter.Emit(spec).Source);

        long headsPerBlock = ints["HEADS_PER_BLOCK"];
        (16 % headsPerBlock).ShouldBe(0);
        headsPerBlock.ShouldBeGreaterThan(1);
        long rows = headsPerBlock * ints["PREFILL_QUERIES"]; // prefill's state is the larger
        // q, accumulator and partial sums per dimension, a tile of scores, four scalars; several partial slices add <= 4 KB.
        long attentionStateBytes = 4 * rows * (3 * 248 + ints["ATTENTION_TILE"] + 4) + 4096;
        attentionStateBytes.ShouldBeLessThanOrEqualTo(48 * 1024 - 3 * 32 * 4); // CUDA's static limit, less the reductions' scratch
    }

    [Theory]
    [InlineData(64, 64)]   // shared: 2 × (64 × 72 + 64 × 72) = 18 KB
    [InlineData(80, 64)]
    [InlineData(128, 64)]  // OPT-6.7B: 2 × (64 × 136 + 128 × 72) = 35 KB
    [InlineData(192, 32)]  // 2 × (64 × 200 + 192 × 72) = 52 KB with 64 keys, over the 48 KB
    [InlineData(256, 16)]  // 2 × (64 × 264 + 256 × 40) = 53 KB with 32 keys
    public void Prefill_runs_on_the_tensor_cores_in_64_query_blocks_with_the_largest_key_tile_that_fits(int headDim, int keys)
    {
        var kernels = KernelEmitter.Emit(ModelSpec.Llama("mma", hidden: 4 * headDim, layers: 1, heads: 4, kvHeads: 2, ffnHidden: 256));
        var ints = CudaDeclarations.IntConstants(kernels.Source);

        kernels.Contains(KernelNames.PrefillAttention).ShouldBeFalse();
        ints["MMA_KEYS"].ShouldBe(keys);
        kernels[KernelNames.PrefillAttentionMma].Grid(new LaunchSizes { Batch = 3, Tokens = 129 }).ShouldBe(new Dim3(3, 4, 3));
        kernels[KernelNames.PrefillAttentionMma].Launch.ToString().ShouldBe("grid (ceil(tokens / 64), 4, batch), block 128 threads");
        long sharedBytes = 2 * (ints["MMA_QUERIES"] * ints["Q_STRIDE"] + ints["KV_TILE_ELEMENTS"]);
        sharedBytes.ShouldBeLessThanOrEqualTo(48 * 1024);
    }

    [Theory]
    [InlineData(16)]   // below the 64 the mma kernel starts at
    [InlineData(72)]   // not a multiple of its k step of 16
    public void Other_head_dims_keep_prefill_attention(int headDim)
    {
        var kernels = KernelEmitter.Emit(ModelSpec.Llama("cuda-cores", hidden: 4 * headDim, layers: 1, heads: 4, kvHeads: 2, ffnHidden: 256));

        kernels.Contains(KernelNames.PrefillAttention).ShouldBeTrue();
        kernels.Contains(KernelNames.PrefillAttentionMma).ShouldBeFalse();
    }

    [Fact]
    public void A_missing_launch_size_is_named_with_the_kernel()
    {
        var kernels = KernelEmitter.Emit(FixtureSpecs.OptTiny);

        var error = Should.Throw<ArgumentException>(() => kernels[KernelNames.DecodeAttention].Grid(new LaunchSizes { Batch = 4 }));

        error.Message.ShouldContain("decode_attention");
        error.Message.ShouldContain("Partitions");
    }

    [Fact]
    public void Launch_shape_reads_as_the_grid_and_block()
    {
        var kernels = KernelEmitter.Emit(FixtureSpecs.Opt6_7B);
        kernels[KernelNames.DecodeAttention].Launch.ToString().ShouldBe("grid (partitions, 32, batch), block 128 threads");
    }

    [Fact]
    public void Parameter_kinds_follow_their_c_types()
    {
        var sample = KernelEmitter.Emit(FixtureSpecs.OptTiny)[KernelNames.Sample];

        sample.Parameters.Select(p => p.Kind).ShouldBe(new[]
        {
            ParameterKind.DevicePointer, ParameterKind.DevicePointer, ParameterKind.DevicePointer,
            ParameterKind.Float32, ParameterKind.Int32, ParameterKind.Float32,
        });
    }
}
