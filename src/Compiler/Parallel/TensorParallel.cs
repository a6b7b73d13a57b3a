using System;
using System.Collections.Generic;
using System.Linq;

namespace Kvpr.Parallelism
{
    /// <summary>
    /// A model split N ways (Megatron-style tensor parallelism): rank r holds heads [r·H/N, (r+1)·H/N) with their KV
    /// heads and FFN columns [r·F/N, (r+1)·F/N), computes the attention and the MLP of its share, and the ranks' partial
    /// outputs of each block are summed by an all-reduce. Rank 0 owns the residual: it adds the residual and the output
    /// and down biases, the other ranks contribute their partial products only, so the sum is the whole layer's output.
    /// </summary>
    public sealed class TensorParallel
    {
        /// <summary>The rank that adds the residual and the biases of the attention output and down projection.</summary>
        public const int ResidualOwner = 0;

        private TensorParallel(ModelSpec model, int ways)
        {
            Model = model;
            Ways = ways;
            RankSpec = ways == 1 ? model : model with
            {
                Name = $"{model.Name} (1/{ways} of its heads)",
                Heads = model.Heads / ways,
                KvHeads = model.KvHeads / ways,
                FfnHidden = model.FfnHidden / ways,
                HeadDim = model.HeadDim,
            };
        }

        /// <summary>The whole model.</summary>
        public ModelSpec Model { get; }

        /// <summary>N, the number of ranks.</summary>
        public int Ways { get; }

        /// <summary>
        /// What every rank computes: H/N heads and KV/N KV heads of the model's head dimension (so its query is Hidden/N
        /// wide), F/N FFN columns, the model's Hidden, vocabulary and positions.
        /// </summary>
        public ModelSpec RankSpec { get; }

        /// <summary>Splits <paramref name="model"/> <paramref name="ways"/> ways.</summary>
        /// <exception cref="ArgumentException">The model is invalid or does not split that many ways (every problem named, with the ways that work).</exception>
        public static TensorParallel For(ModelSpec model, int ways)
        {
            var errors = model.Validate().Concat(Check(model, ways)).ToList();
            if (errors.Count > 0)
                throw new ArgumentException($"Model '{model.Name}' cannot be split {ways} ways: {string.Join(" ", errors)}", nameof(ways));
            return new TensorParallel(model, ways);
        }

        /// <summary>
        /// Why <paramref name="model"/> does not split <paramref name="ways"/> ways, each naming the dimension at fault and
        /// the ways that work; empty when it does.
        /// </summary>
        public static IReadOnlyList<SpecError> Check(ModelSpec model, int ways)
        {
            if (ways < 1)
                return new[] { new SpecError(ErrorCodes.InvalidValue, nameof(Ways), $"A model is split at least 1 way (1 is no tensor parallelism), but {ways} ways were asked for.") };
            string works = $"model '{model.Name}' splits {string.Join(", ", WaysThatWork(model))} ways";
            var errors = new List<SpecError>();
            foreach (var (field, value) in new[] { (nameof(ModelSpec.Heads), model.Heads), (nameof(ModelSpec.KvHeads), model.KvHeads), (nameof(ModelSpec.FfnHidden), model.FfnHidden) })
            {
                if (value > 0 && value % ways != 0)
                    errors.Add(new SpecError(ErrorCodes.InvalidValue, field, $"{field} ({value}) is not divisible by {ways}, so the ranks would not get equal shares; {works}."));
            }
            return errors;
        }

        /// <summary>Every N that divides the heads, the KV heads and the FFN columns: the ways <paramref name="model"/> splits.</summary>
        public static IReadOnlyList<int> WaysThatWork(ModelSpec model) =>
            Enumerable.Range(1, Math.Max(1, model.KvHeads)).Where(n => model.Heads % n == 0 && model.KvHeads % n == 0 && model.FfnHidden % n == 0).ToArray();

        /// <summary>Whether <paramref name="rank"/> adds the residual (and the output and down biases) to its partial output.</summary>
        public static bool OwnsResidual(int rank) => rank == ResidualOwner;

        /// <summary>How <paramref name="role"/> is divided among the ranks.</summary>
        public static WeightSplit SplitOf(WeightMapRole role) => Division(role).Split;

        /// <summary>What <paramref name="rank"/> holds of the weight of <paramref name="role"/>.</summary>
        public WeightSlice SliceOf(WeightMapRole role, int rank)
        {
            if (rank < 0 || rank >= Ways)
                throw new ArgumentOutOfRangeException(nameof(rank), rank, $"Ranks of a {Ways}-way split are 0 to {Ways - 1}.");
            var (split, widthOf) = Division(role);
            int width = widthOf?.Invoke(RankSpec) ?? 0;
            return new WeightSlice(split, split is WeightSplit.OutputRows or WeightSplit.InputColumns ? rank * width : 0, width);
        }

        /// <summary>
        /// How <paramref name="role"/> is divided, and the width of a rank's part on its split axis as a dimension of the
        /// rank's share (null where a rank holds the whole or nothing of it). One table, so a role's split and width agree.
        /// </summary>
        private static (WeightSplit Split, Func<ModelSpec, int>? Width) Division(WeightMapRole role) => role switch
        {
            WeightMapRole.QueryWeight or WeightMapRole.QueryBias => (WeightSplit.OutputRows, share => share.QueryDim),
            WeightMapRole.KeyWeight or WeightMapRole.KeyBias or WeightMapRole.ValueWeight or WeightMapRole.ValueBias => (WeightSplit.OutputRows, share => share.KvDim),
            WeightMapRole.UpWeight or WeightMapRole.UpBias or WeightMapRole.GateWeight or WeightMapRole.GateBias => (WeightSplit.OutputRows, share => share.FfnHidden),
            WeightMapRole.AttentionOutputWeight => (WeightSplit.InputColumns, share => share.QueryDim),
            WeightMapRole.DownWeight => (WeightSplit.InputColumns, share => share.FfnHidden),
            WeightMapRole.AttentionOutputBias or WeightMapRole.DownBias => (WeightSplit.AddedByResidualOwner, null),
            _ => (WeightSplit.Replicated, null),
        };
    }
}
