using System;
using System.Linq;
using Kvpr.Parallelism;

namespace Kvpr.Runtime.Tests.Weights;

/// <summary>The ranks' shares of a model's weights, against the whole tensors they are cut from.</summary>
public class WeightShareTests
{
    private static readonly ModelSpec Qwen = ModelSpec.Qwen2("qwen-share", hidden: 64, layers: 2, heads: 4, kvHeads: 2, ffnHidden: 96, vocab: 128, maxPositions: 64, tiedEmbeddings: true);

    [Theory]
    [InlineData(WeightMapRole.QueryWeight)]
    [InlineData(WeightMapRole.KeyBias)]
    [InlineData(WeightMapRole.GateWeight)]
    [InlineData(WeightMapRole.AttentionOutputWeight)]
    [InlineData(WeightMapRole.DownWeight)]
    public void The_ranks_rows_or_columns_put_side_by_side_are_the_whole_weight(WeightMapRole role)
    {
        var weights = RandomWeights.Create(Qwen, seed: 3);
        var parallel = TensorParallel.For(Qwen, 2);
        var whole = Values(weights.Get(role, 1));
        var shape = weights.Get(role, 1).Shape;
        int columns = shape.Count == 2 ? (int)shape[1] : 1;

        for (int rank = 0; rank < 2; rank++)
        {
            var slice = parallel.SliceOf(role, rank);
            var part = weights.ShareOf(parallel, rank).Get(role, 1);
            var values = Values(part);
            if (slice.Split == WeightSplit.OutputRows)
                values.ShouldBe(whole.Skip(slice.Start * columns).Take(slice.Count * columns).ToArray());
            else
                for (int row = 0; row < shape[0]; row++)
                    values.Skip(row * slice.Count).Take(slice.Count).ShouldBe(whole.Skip(row * columns + slice.Start).Take(slice.Count));
            part.Name.ShouldContain(slice.ToString());
        }
    }

    [Fact]
    public void A_range_of_a_tensor_without_its_own_range_read_is_cut_from_the_whole()
    {
        IWeightTensor query = RandomWeights.Create(Qwen, seed: 3).Get(WeightMapRole.QueryWeight, 0);
        var whole = Values(query);

        var part = new float[70];
        query.CopyRangeToSingle(130, part);

        part.ShouldBe(whole.Skip(130).Take(70));
        Should.Throw<ArgumentOutOfRangeException>(() => query.CopyRangeToSingle(-1, part)).Message.ShouldContain($"Tensor '{query.Name}' has {whole.Length} elements");
    }

    [Fact]
    public void Replicated_weights_are_the_same_tensors_and_the_tied_head_stays_the_embedding()
    {
        var weights = RandomWeights.Create(Qwen, seed: 3);

        var share = weights.ShareOf(TensorParallel.For(Qwen, 2), 1);

        share.Spec.ShouldBe(TensorParallel.For(Qwen, 2).RankSpec);
        share.Get(WeightMapRole.MlpNormWeight, 0).ShouldBeSameAs(weights.Get(WeightMapRole.MlpNormWeight, 0));
        share.Get(WeightMapRole.LmHead).ShouldBeSameAs(share.Get(WeightMapRole.TokenEmbedding));
    }

    [Fact]
    public void A_split_of_another_model_is_refused()
    {
        var weights = RandomWeights.Create(Qwen, seed: 3);

        var error = Should.Throw<ArgumentException>(() => weights.ShareOf(TensorParallel.For(Qwen with { FfnHidden = 128 }, 2), 0));

        error.Message.ShouldContain("but the weights are of");
    }

    private static float[] Values(IWeightTensor tensor)
    {
        var values = new float[tensor.Shape.Aggregate(1L, (product, d) => product * d)];
        tensor.CopyToSingle(values);
        return values;
    }
}
