using System;
using Kvpr.Lp;

namespace Kvpr.Planning
{
    /// <summary>
    /// The linear program of one planning decision for one step shape (batch b, stored length s',
    /// micro-batches M). Variables: λ, the recomputed tokens summed over the offloaded layers (each of the
    /// L − k offloaded layers recomputes l = λ / (L − k)); η, where the CPU may attend, the tokens it attends to
    /// summed likewise; k, layers whose KV stays on the GPU; w, layers whose weights stay on the GPU; T, the step
    /// time of the group. All offloaded layers are identical,
    /// so the sum over them of each layer's max(…) is the max of the sums and every relation is linear.
    /// docs/planner.md explains each constraint.
    /// </summary>
    public sealed class PlanningProgram
    {
        private PlanningProgram(LinearProgram program, Variable recomputedTokens, Variable? hostTokens, Variable kvResidentLayers, Variable weightResidentLayers,
            Variable stepSeconds)
        {
            Program = program;
            RecomputedTokens = recomputedTokens;
            HostTokens = hostTokens;
            KvResidentLayers = kvResidentLayers;
            WeightResidentLayers = weightResidentLayers;
            StepSeconds = stepSeconds;
        }

        public LinearProgram Program { get; }
        /// <summary>λ: recomputed tokens summed over the offloaded layers.</summary>
        public Variable RecomputedTokens { get; }
        /// <summary>η: tokens the CPU attends to, summed over the offloaded layers; null where the CPU gets none.</summary>
        public Variable? HostTokens { get; }
        /// <summary>k: layers whose KV is resident on the GPU.</summary>
        public Variable KvResidentLayers { get; }
        /// <summary>w: layers whose weights are resident on the GPU.</summary>
        public Variable WeightResidentLayers { get; }
        /// <summary>T: seconds of one step of the whole micro-batch group.</summary>
        public Variable StepSeconds { get; }

        /// <summary>
        /// The split at a fixed residency: only λ, η (if any) and T are free. <paramref name="recomputeSecondsPerToken"/>
        /// linearises the recompute GEMM, whose rate depends on its row count (see <see cref="RecomputeSecondsPerToken"/>).
        /// <paramref name="cpuAttention"/> (off when null) gives the CPU a share where <see cref="CpuAttentionMode.Unavailability"/> allows.
        /// </summary>
        public static PlanningProgram ForSplit(CostModel cost, Residency residency, int batch, int length, int microBatches, double recomputeSecondsPerToken,
            CpuAttentionMode? cpuAttention = null)
        {
            var bounds = new ResidencyBounds(residency.KvResidentLayers, residency.KvResidentLayers, residency.WeightResidentLayers, residency.WeightResidentLayers);
            return Build($"split_b{batch}_s{length}", cost, bounds, batch, length, microBatches, recomputeSecondsPerToken, memory: null, cpuAttention);
        }

        /// <summary>
        /// Residency and split together at the workload's longest length, under the GPU memory budget.
        /// Staging buffers exist only while something streams, which is not linear, so each combination of
        /// "all KV resident or not" and "all weights resident or not" is its own program.
        /// </summary>
        public static PlanningProgram ForResidency(CostModel cost, MemoryModel memory, DecodeWorkload workload, bool allKvResident, bool allWeightsResident,
            double recomputeSecondsPerToken, CpuAttentionMode? cpuAttention = null)
        {
            int layers = cost.Spec.Layers;
            var bounds = new ResidencyBounds(
                allKvResident ? layers : 0, allKvResident ? layers : layers - 1,
                allWeightsResident ? layers : 0, allWeightsResident ? layers : layers - 1);
            string name = $"residency_{(allKvResident ? "kv" : "kvstream")}_{(allWeightsResident ? "w" : "wstream")}";
            return Build(name, cost, bounds, workload.Batch, workload.MaxLength, workload.MicroBatches, recomputeSecondsPerToken,
                (memory, allKvResident, allWeightsResident), cpuAttention);
        }

        /// <summary>Recompute seconds per token of one layer at <paramref name="tokens"/> tokens: the secant through the origin.</summary>
        public static double RecomputeSecondsPerToken(CostModel cost, int batch, int tokens)
        {
            int l = Math.Max(1, tokens);
            return cost.RecomputeSeconds(batch, l) / l;
        }

        private static PlanningProgram Build(string name, CostModel cost, ResidencyBounds bounds, int batch, int length, int microBatches,
            double recomputePerToken, (MemoryModel Model, bool AllKvResident, bool AllWeightsResident)? memory, CpuAttentionMode? cpuAttention)
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
            var eta = UsesCpu(cost, cpuAttention) ? lp.AddVariable("host_tokens", 0, s * (layers - bounds.KvLower)) : null;
            LinearExpression hostTokens = eta is null ? new LinearExpression() : eta;

            double activationPerToken = cost.ActivationBytes(batch, 1) / link.BytesPerSecond;
            double kvPerToken = cost.KvBytes(batch, 1) / link.BytesPerSecond;
            // Each offloaded layer sends X in `chunks` copies and K, V in two; every copy pays the link latency.
            LinearExpression activations = activationPerToken * lambda + chunks * link.LatencySeconds * offloaded;
            LinearExpression kv = kvPerToken * (s * offloaded - lambda - hostTokens) + 2 * link.LatencySeconds * offloaded;
            LinearExpression recompute = recomputePerToken * lambda;
            if (eta is not null)
                recompute += HostShareGpuSecondsPerToken(cost, batch) * eta;

            lp.Add("recompute_within_length", lambda + hostTokens <= s * offloaded);
            lp.Add("link", (LinearExpression)t >= m * (activations + kv) + cost.TransferSeconds(cost.WeightBytesPerLayer) * (layers - (LinearExpression)w));
            lp.Add("gpu", (LinearExpression)t >= m * (recompute + layers * cost.LayerComputeSeconds(batch, length) + cost.OuterComputeSeconds(batch)));
            lp.Add("write_back", (LinearExpression)t >= m * cost.WriteBackSeconds(batch) * offloaded);
            if (cost.Settings.PrefetchNextLayer)
            {
                // Layers overlap: the link's work plus the drain (the last layer's last chunk and compute), and the fill (the first
                // chunk) plus the GPU's work. Per-layer l = λ / (L − k) is not linear, so the one-layer terms take their largest
                // value, l = s'; they are a chunk of one layer, small against a step, and the plan is re-priced exactly afterwards.
                var longest = new StepShape(batch, length, length);
                lp.Add("pipeline_drain", (LinearExpression)t >= m * (activations + kv) + cost.PipelineDrainSeconds(longest));
                lp.Add("pipeline_fill", (LinearExpression)t >= cost.PipelineFillSeconds(longest)
                    + m * (recompute + layers * cost.LayerComputeSeconds(batch, length) + cost.OuterComputeSeconds(batch)));
            }
            else
            {
                // The paper's chain per offloaded layer: X then the last chunk's recompute, and the first chunk then all recompute.
                lp.Add("layer_last_chunk", (LinearExpression)t >= m * (activations + recompute * (1.0 / chunks)));
                if (chunks > 1)
                    lp.Add("layer_first_chunk", (LinearExpression)t >= m * (activations * (1.0 / chunks) + recompute));
            }

            if (eta is not null)
                AddHostConstraints(lp, cost, batch, length, m, offloaded, w, t, lambda, eta, cpuAttention!);

            if (memory.HasValue)
            {
                var (model, allKvResident, allWeightsResident) = memory.Value;
                double staging = (allKvResident ? 0 : model.KvStagingBytes) + (allWeightsResident ? 0 : model.WeightStagingBytes);
                lp.Add("gpu_memory", model.WeightBytesPerLayer * (LinearExpression)w + model.ResidentKvBytesPerLayer * (LinearExpression)k
                    <= model.BudgetBytes - model.FixedBytes - staging);
            }

            lp.Minimize(t);
            return new PlanningProgram(lp, lambda, eta, k, w, t);
        }

        private static bool UsesCpu(CostModel cost, CpuAttentionMode? mode) =>
            mode is { MayUseCpu: true } && CpuAttentionMode.Unavailability(cost.Spec, cost.Profile) is null;

        /// <summary>The GPU seconds one host token changes: the attention it no longer reads (the merge is a constant per layer, left to the exact pricing).</summary>
        private static double HostShareGpuSecondsPerToken(CostModel cost, int batch) =>
            cost.Settings.ChargeLayerCompute ? -cost.KvBytes(batch, 1) / cost.Profile.DeviceMemoryBytesPerSecond : 0;

        /// <summary>
        /// The CPU lane and the host's memory. The CPU reads each host token's K and V at its attention rate and pays a round
        /// trip per offloaded layer (charged whether or not η is 0: the exact pricing compares against no CPU share). A layer's
        /// CPU share cannot start before the layer before it has finished on the GPU (its queries need that layer's output,
        /// whose attention needs the CPU's partials), so the CPU lane and the GPU's layer compute add up. The link's reads (X of λ, K and V of the transferred tokens, streamed
        /// weights) and the CPU's (K and V of η) share the host's read bandwidth: together the KV of every stored token
        /// that is not recomputed, so that bound does not depend on η. A fixed share pins η to its tokens per layer.
        /// </summary>
        private static void AddHostConstraints(LinearProgram lp, CostModel cost, int batch, int length, double m, LinearExpression offloaded,
            Variable w, Variable t, Variable lambda, Variable eta, CpuAttentionMode mode)
        {
            int layers = cost.Spec.Layers;
            double s = length, read = cost.HostMemoryReadBytesPerSecond;
            double layerChain = m * (layers * cost.LayerComputeSeconds(batch, length) + cost.OuterComputeSeconds(batch));
            lp.Add("cpu", (LinearExpression)t >= m * (cost.HostAttentionSecondsPerToken(batch) * eta
                + cost.HostRoundTripSeconds(batch) * offloaded) + layerChain);
            lp.Add("host_memory", (LinearExpression)t >= m * (cost.ActivationBytes(batch, 1) / read * lambda + cost.KvBytes(batch, 1) / read * (s * offloaded - lambda))
                + cost.WeightBytesPerLayer / read * (layers - (LinearExpression)w));
            if (mode.Kind == CpuAttentionKind.Fraction)
                lp.Add("host_share", LinearConstraint.Create(eta, ConstraintSense.Equal, CpuAttentionMode.TokensOf(mode.Fraction, length) * offloaded));
        }

        private sealed record ResidencyBounds(int KvLower, int KvUpper, int WeightLower, int WeightUpper);
    }
}
