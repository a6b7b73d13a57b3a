using System;
using Kvpr.Lp;

namespace Kvpr.Planning
{
    /// <summary>
    /// The linear program of one planning decision for one step shape (batch b, stored length s',
    /// micro-batches M). Variables: λ, the recomputed tokens summed over the offloaded layers (each of the
    /// L − k offloaded layers recomputes l = λ / (L − k)); k, layers whose KV stays on the GPU; w, layers
    /// whose weights stay on the GPU; T, the step time of the group. All offloaded layers are identical,
    /// so the sum over them of each layer's max(…) is the max of the sums and every relation is linear.
    /// docs/planner.md explains each constraint.
    /// </summary>
    public sealed class PlanningProgram
    {
        private PlanningProgram(LinearProgram program, Variable recomputedTokens, Variable kvResidentLayers, Variable weightResidentLayers, Variable stepSeconds)
        {
            Program = program;
            RecomputedTokens = recomputedTokens;
            KvResidentLayers = kvResidentLayers;
            WeightResidentLayers = weightResidentLayers;
            StepSeconds = stepSeconds;
        }

        public LinearProgram Program { get; }
        /// <summary>λ: recomputed tokens summed over the offloaded layers.</summary>
        public Variable RecomputedTokens { get; }
        /// <summary>k: layers whose KV is resident on the GPU.</summary>
        public Variable KvResidentLayers { get; }
        /// <summary>w: layers whose weights are resident on the GPU.</summary>
        public Variable WeightResidentLayers { get; }
        /// <summary>T: seconds of one step of the whole micro-batch group.</summary>
        public Variable StepSeconds { get; }

        /// <summary>
        /// The split at a fixed residency: only λ and T are free. <paramref name="recomputeSecondsPerToken"/>
        /// linearises the recompute GEMM, whose rate depends on its row count (see <see cref="RecomputeSecondsPerToken"/>).
        /// </summary>
        public static PlanningProgram ForSplit(CostModel cost, Residency residency, int batch, int length, int microBatches, double recomputeSecondsPerToken)
        {
            var bounds = new ResidencyBounds(residency.KvResidentLayers, residency.KvResidentLayers, residency.WeightResidentLayers, residency.WeightResidentLayers);
            return Build($"split_b{batch}_s{length}", cost, bounds, batch, length, microBatches, recomputeSecondsPerToken, memory: null);
        }

        /// <summary>
        /// Residency and split together at the workload's longest length, under the GPU memory budget.
        /// Staging buffers exist only while something streams, which is not linear, so each combination of
        /// "all KV resident or not" and "all weights resident or not" is its own program.
        /// </summary>
        public static PlanningProgram ForResidency(CostModel cost, MemoryModel memory, DecodeWorkload workload, bool allKvResident, bool allWeightsResident,
            double recomputeSecondsPerToken)
        {
            int layers = cost.Spec.Layers;
            var bounds = new ResidencyBounds(
                allKvResident ? layers : 0, allKvResident ? layers : layers - 1,
                allWeightsResident ? layers : 0, allWeightsResident ? layers : layers - 1);
            string name = $"residency_{(allKvResident ? "kv" : "kvstream")}_{(allWeightsResident ? "w" : "wstream")}";
            return Build(name, cost, bounds, workload.Batch, workload.MaxLength, workload.MicroBatches, recomputeSecondsPerToken,
                (memory, allKvResident, allWeightsResident));
        }

        /// <summary>Recompute seconds per token of one layer at <paramref name="tokens"/> tokens: the secant through the origin.</summary>
        public static double RecomputeSecondsPerToken(CostModel cost, int batch, int tokens)
        {
            int l = Math.Max(1, tokens);
            return cost.RecomputeSeconds(batch, l) / l;
        }

        private static PlanningProgram Build(string name, CostModel cost, ResidencyBounds bounds, int batch, int length, int microBatches,
            double recomputePerToken, (MemoryModel Model, bool AllKvResident, bool AllWeightsResident)? memory)
        {
            var spec = cost.Spec;
            int layers = spec.Layers, chunks = cost.Settings.ActivationChunks;
            double m = microBatches, s = length;
            var link = cost.HostToDevice;

            var lp = new LinearProgram(name);
            var lambda = lp.AddVariable("recomputed_tokens", 0, s * (layers - bounds.KvLower));
            var k = lp.AddVariable("kv_resident_layers", bounds.KvLower, bounds.KvUpper);
            var w = lp.AddVariable("weight_resident_layers", bounds.WeightLower, bounds.WeightUpper);
            var t = lp.AddVariable("step_seconds");
            LinearExpression offloaded = layers - (LinearExpression)k;

            double activationPerToken = cost.ActivationBytes(batch, 1) / link.BytesPerSecond;
            double kvPerToken = cost.KvBytes(batch, 1) / link.BytesPerSecond;
            // Each offloaded layer sends X in `chunks` copies and K, V in two; every copy pays the link latency.
            LinearExpression activations = activationPerToken * lambda + chunks * link.LatencySeconds * offloaded;
            LinearExpression kv = kvPerToken * (s * offloaded - lambda) + 2 * link.LatencySeconds * offloaded;
            LinearExpression recompute = recomputePerToken * lambda;

            lp.Add("recompute_within_length", (LinearExpression)lambda <= s * offloaded);
            lp.Add("link", (LinearExpression)t >= m * (activations + kv) + cost.TransferSeconds(cost.WeightBytesPerLayer) * (layers - (LinearExpression)w));
            lp.Add("gpu", (LinearExpression)t >= m * (recompute + layers * cost.LayerComputeSeconds(batch, length) + cost.OuterComputeSeconds(batch)));
            lp.Add("write_back", (LinearExpression)t >= m * cost.WriteBackSeconds(batch) * offloaded);
            // Per offloaded layer: X then the last chunk's recompute, and the first chunk then all recompute (the same for one chunk).
            lp.Add("layer_last_chunk", (LinearExpression)t >= m * (activations + recompute * (1.0 / chunks)));
            if (chunks > 1)
                lp.Add("layer_first_chunk", (LinearExpression)t >= m * (activations * (1.0 / chunks) + recompute));

            if (memory.HasValue)
            {
                var (model, allKvResident, allWeightsResident) = memory.Value;
                double staging = (allKvResident ? 0 : model.KvStagingBytes) + (allWeightsResident ? 0 : model.WeightStagingBytes);
                lp.Add("gpu_memory", model.WeightBytesPerLayer * (LinearExpression)w + model.ResidentKvBytesPerLayer * (LinearExpression)k
                    <= model.BudgetBytes - model.FixedBytes - staging);
            }

            lp.Minimize(t);
            return new PlanningProgram(lp, lambda, k, w, t);
        }

        private sealed record ResidencyBounds(int KvLower, int KvUpper, int WeightLower, int WeightUpper);
    }
}
