using System;
using System.Linq;
using Kvpr.Parallelism;

namespace Kvpr.Compiler.Tests.Parallelism;

public class TensorParallelTests
{
    private static readonly WeightMapRole[] LayerRoles = Enum.GetValues<WeightMapRole>()
        .Where(role => role is >= WeightMapRole.AttentionNormWeight and <= WeightMapRole.DownBias).ToArray();

    [Fact]
    public void A_rank_of_llama_3_70b_on_eight_ways_holds_an_eighth_of_the_heads_at_the_same_head_dim()
    {
        var rank = TensorParallel.For(ModelCatalog.Get("llama-3-70b"), 8).RankSpec;

        rank.Validate().ShouldBeEmpty();
        (rank.Heads, rank.KvHeads, rank.HeadDim, rank.FfnHidden).ShouldBe((8, 1, 128, 28672 / 8));
        (rank.Hidden, rank.QueryDim, rank.Vocab).ShouldBe((8192, 1024, 128256));
    }

    [Theory]
    [InlineData("opt-1.3b", 2)]
    [InlineData("opt-125m", 4)]
    [InlineData("llama-3-8b", 8)]
    [InlineData("qwen2.5-7b", 2)]
    public void The_ranks_hold_the_layer_once_plus_what_every_rank_repeats(string model, int ways)
    {
        var spec = Model(model);
        var rank = TensorParallel.For(spec, ways).RankSpec;
        // Replicated: two norms (with their biases for LayerNorm), the output and down biases.
        long repeated = (spec.Norm == NormKind.LayerNorm ? 4 : 2) * spec.Hidden
            + (spec.AttentionOutputBias ? spec.Hidden : 0) + (spec.MlpBias ? spec.Hidden : 0);

        (ways * rank.LayerWeightElements).ShouldBe(spec.LayerWeightElements + (ways - 1) * repeated);
    }

    [Theory]
    [InlineData("mistral-7b", 2)]
    [InlineData("opt-125m", 4)]
    [InlineData("llama-3-70b", 8)]
    public void The_ranks_slices_tile_every_split_weight_without_overlap(string model, int ways)
    {
        var parallel = TensorParallel.For(Model(model), ways);
        foreach (var role in LayerRoles.Where(r => TensorParallel.SplitOf(r) is WeightSplit.OutputRows or WeightSplit.InputColumns))
        {
            var slices = Enumerable.Range(0, ways).Select(r => parallel.SliceOf(role, r)).ToArray();
            int width = FullWidth(parallel.Model, role);
            slices.Select(s => s.Start).ShouldBe(Enumerable.Range(0, ways).Select(r => r * width / ways), role.ToString());
            slices.ShouldAllBe(s => s.Count == width / ways);
        }
    }

    [Theory]
    [InlineData(WeightMapRole.QueryWeight, WeightSplit.OutputRows)]
    [InlineData(WeightMapRole.ValueBias, WeightSplit.OutputRows)]
    [InlineData(WeightMapRole.GateWeight, WeightSplit.OutputRows)]
    [InlineData(WeightMapRole.AttentionOutputWeight, WeightSplit.InputColumns)]
    [InlineData(WeightMapRole.DownWeight, WeightSplit.InputColumns)]
    [InlineData(WeightMapRole.AttentionOutputBias, WeightSplit.AddedByResidualOwner)]
    [InlineData(WeightMapRole.DownBias, WeightSplit.AddedByResidualOwner)]
    [InlineData(WeightMapRole.MlpNormWeight, WeightSplit.Replicated)]
    [InlineData(WeightMapRole.TokenEmbedding, WeightSplit.Replicated)]
    [InlineData(WeightMapRole.LmHead, WeightSplit.Replicated)]
    public void Each_role_splits_as_megatron_splits_it(WeightMapRole role, WeightSplit split) => TensorParallel.SplitOf(role).ShouldBe(split);

    [Fact]
    public void Each_ranks_query_heads_read_only_the_kv_heads_it_holds()
    {
        var parallel = TensorParallel.For(Model("llama-3-8b"), 4);
        int headDim = parallel.Model.HeadDim, group = parallel.Model.Heads / parallel.Model.KvHeads;
        for (int rank = 0; rank < parallel.Ways; rank++)
        {
            var query = parallel.SliceOf(WeightMapRole.QueryWeight, rank);
            var keys = parallel.SliceOf(WeightMapRole.KeyWeight, rank);
            for (int head = query.Start / headDim; head < (query.Start + query.Count) / headDim; head++)
                (head / group * headDim).ShouldBeInRange(keys.Start, keys.Start + keys.Count - headDim);
        }
    }

    [Fact]
    public void Sums_of_the_ranks_partial_mlps_are_the_whole_mlp()
    {
        // An OPT MLP in doubles: down · relu(up · x + b_up) + b_down, against the ranks' partials added up, rank 0 adding b_down.
        const int Hidden = 16, Ffn = 6;
        var spec = ModelSpec.Opt("mlp", Hidden, layers: 1, heads: 2, Ffn, vocab: 8, maxPositions: 8);
        var parallel = TensorParallel.For(spec, 2);
        var random = new Random(7);
        double[,] up = Matrix(Ffn, Hidden, random), down = Matrix(Hidden, Ffn, random);
        double[] upBias = Vector(Ffn, random), downBias = Vector(Hidden, random), x = Vector(Hidden, random);

        var whole = Add(Multiply(down, Relu(Add(Multiply(up, x), upBias))), downBias);
        var sum = new double[Hidden];
        for (int rank = 0; rank < 2; rank++)
        {
            var rows = parallel.SliceOf(WeightMapRole.UpWeight, rank);
            var columns = parallel.SliceOf(WeightMapRole.DownWeight, rank);
            var hidden = Relu(Add(Multiply(Rows(up, rows), x), upBias.Skip(parallel.SliceOf(WeightMapRole.UpBias, rank).Start).Take(rows.Count).ToArray()));
            var partial = Multiply(Columns(down, columns), hidden);
            if (TensorParallel.OwnsResidual(rank) && TensorParallel.SplitOf(WeightMapRole.DownBias) == WeightSplit.AddedByResidualOwner)
                partial = Add(partial, downBias);
            sum = Add(sum, partial);
        }

        for (int i = 0; i < Hidden; i++)
            sum[i].ShouldBe(whole[i], 1e-12);
    }

    [Fact]
    public void Ways_that_do_not_divide_a_dimension_name_it_and_the_ways_that_work()
    {
        var spec = Model("llama-3-8b");

        var errors = TensorParallel.Check(spec, 16);

        errors.ShouldHaveSingleItem().Field.ShouldBe(nameof(ModelSpec.KvHeads));
        errors[0].Message.ShouldContain("KvHeads (8) is not divisible by 16");
        errors[0].Message.ShouldContain("splits 1, 2, 4, 8 ways");
        TensorParallel.Check(spec, 3).Select(e => e.Field).ShouldBe(new[] { "Heads", "KvHeads", "FfnHidden" });
        TensorParallel.Check(spec, 0).ShouldHaveSingleItem().Field.ShouldBe(nameof(TensorParallel.Ways));
        Should.Throw<ArgumentException>(() => TensorParallel.For(spec, 3)).Message.ShouldContain("'llama-3-8b' cannot be split 3 ways");
    }

    [Fact]
    public void One_way_is_the_model_itself() => TensorParallel.For(Model("opt-125m"), 1).RankSpec.ShouldBe(Model("opt-125m"));

    private static ModelSpec Model(string name) => ModelCatalog.Get(name);

    private static int FullWidth(ModelSpec spec, WeightMapRole role) => role switch
    {
        WeightMapRole.QueryWeight or WeightMapRole.QueryBias or WeightMapRole.AttentionOutputWeight => spec.QueryDim,
        WeightMapRole.KeyWeight or WeightMapRole.KeyBias or WeightMapRole.ValueWeight or WeightMapRole.ValueBias => spec.KvDim,
        _ => spec.FfnHidden,
    };

    private static double[,] Matrix(int rows, int columns, Random random)
    {
        var m = new double[rows, columns];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++)
                m[r, c] = random.NextDouble() - 0.5;
        return m;
    }

    private static double[] Vector(int length, Random random) => Enumerable.Range(0, length).Select(_ => random.NextDouble() - 0.5).ToArray();

    private static double[,] Rows(double[,] m, WeightSlice slice)
    {
        var result = new double[slice.Count, m.GetLength(1)];
        for (int r = 0; r < slice.Count; r++)
            for (int c = 0; c < m.GetLength(1); c++)
                result[r, c] = m[slice.Start + r, c];
        return result;
    }

    private static double[,] Columns(double[,] m, WeightSlice slice)
    {
        var result = new double[m.GetLength(0), slice.Count];
        for (int r = 0; r < m.GetLength(0); r++)
            for (int c = 0; c < slice.Count; c++)
                result[r, c] = m[r, slice.Start + c];
        return result;
    }

    private static double[] Multiply(double[,] m, double[] x) =>
        Enumerable.Range(0, m.GetLength(0)).Select(r => Enumerable.Range(0, x.Length).Sum(c => m[r, c] * x[c])).ToArray();

    private static double[] Add(double[] a, double[] b) => a.Zip(b, (p, q) => p + q).ToArray();

    private static double[] Relu(double[] x) => x.Select(v => Math.Max(0, v)).ToArray();
}
