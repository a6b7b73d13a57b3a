using System;

namespace Kvpr.Planning
{
    /// <summary>
    /// Bytes, FLOPs and predicted seconds of decode work for one model on one machine. Sizes follow the
    /// paper's notation: b sequences, s' stored tokens, l of them recomputed, hidden size h, K/V width
    /// d_kv = kv heads × head dim, p bytes per element. The planner's linear program and the execution-graph
    /// simulator both price their work here, so the two agree on what a transfer or a GEMM costs. Byte counts are
    /// checked: within <see cref="ModelLimits"/> they fit a long, and beyond them they throw instead of wrapping around.
    /// </summary>
    public sealed class CostModel
    {
        /// <summary>Norms, residual adds, activation, rotary and bias kernels of one decoder layer at decode.</summary>
        private const int ElementwiseKernelsPerLayer = 6;

        public CostModel(ModelSpec spec, HardwareProfile profile, CostSettings? settings = null)
        {
            Spec = spec ?? throw new ArgumentNullException(nameof(spec));
            Profile = profile ?? throw new ArgumentNullException(nameof(profile));
            Settings = settings ?? CostSettings.Default;
            Settings.Check();
            var hostToDevice = profile.HostToDevice;
            var deviceToHost = profile.DeviceToHost;
            HostToDevice = Settings.IdealHardware ? new TransferModel(0, hostToDevice.BytesPerSecond) : hostToDevice;
            DeviceToHost = Settings.IdealHardware ? new TransferModel(0, deviceToHost.BytesPerSecond) : deviceToHost;
        }

        public ModelSpec Spec { get; }
        public HardwareProfile Profile { get; }
        public CostSettings Settings { get; }

        /// <summary>Pinned host→device copies as charged (without latency under ideal hardware).</summary>
        public TransferModel HostToDevice { get; }

        /// <summary>Pinned device→host copies as charged (without latency under ideal hardware).</summary>
        public TransferModel DeviceToHost { get; }

        private double LaunchSeconds => Settings.IdealHardware ? 0 : Profile.KernelLaunchSeconds;

        // ---- Bytes and FLOPs ----

        /// <summary>Stored activations X of <paramref name="tokens"/> tokens of one layer: M_X = b·l·h·p.</summary>
        public long ActivationBytes(int batch, int tokens) => checked((long)batch * tokens * Spec.Hidden * Spec.ElementBytes);

        /// <summary>K and V of <paramref name="tokens"/> tokens of one layer: M_KV = 2·b·(s'−l)·d_kv·p.</summary>
        public long KvBytes(int batch, int tokens) => checked(2L * batch * tokens * Spec.KvDim * Spec.ElementBytes);

        /// <summary>Weights of one decoder layer.</summary>
        public long WeightBytesPerLayer => checked(Spec.LayerWeightElements * Spec.ElementBytes);

        /// <summary>Per layer and step, the new token's X, K and V copied back to the host store.</summary>
        public long WriteBackBytes(int batch) => ActivationBytes(batch, 1) + KvBytes(batch, 1);

        /// <summary>FLOPs to recompute K and V of <paramref name="tokens"/> tokens of one layer: 2·b·l·h·2·d_kv.</summary>
        public double RecomputeFlops(int batch, int tokens) => 2.0 * batch * tokens * Spec.Hidden * 2.0 * Spec.KvDim;

        // ---- Primitive times ----

        /// <summary>One host→device copy of <paramref name="bytes"/>.</summary>
        public double TransferSeconds(double bytes) => HostToDevice.Seconds(bytes);

        /// <summary>One device→host copy of <paramref name="bytes"/>.</summary>
        public double DeviceToHostSeconds(double bytes) => DeviceToHost.Seconds(bytes);

        /// <summary>
        /// An fp16 GEMM C[m,n] = A[m,k]·B[k,n]: the slower of its FLOPs at the profile's rate for m rows and of
        /// reading A and B and writing C from device memory (small m is memory-bound), plus a launch.
        /// </summary>
        public double GemmSeconds(double m, double k, double n)
        {
            if (m <= 0 || k <= 0 || n <= 0)
                return 0;
            double compute = 2 * m * k * n / Profile.GemmFlopsPerSecond(m);
            if (Settings.IdealHardware)
                return compute;
            double bytes = (m * k + k * n + m * n) * Spec.ElementBytes;
            return Math.Max(compute, bytes / Profile.DeviceMemoryBytesPerSecond) + LaunchSeconds;
        }

        /// <summary>A kernel limited by device memory bandwidth that moves <paramref name="bytes"/>, plus a launch.</summary>
        public double MemoryBoundSeconds(double bytes) => bytes <= 0 ? 0 : bytes / Profile.DeviceMemoryBytesPerSecond + LaunchSeconds;

        // ---- Work of one layer ----

        /// <summary>
        /// Recomputing K and V of <paramref name="tokens"/> tokens: one GEMM X·[W_K;W_V]ᵀ with M = b·l, plus
        /// rotating K for models with rotary positions.
        /// </summary>
        public double RecomputeSeconds(int batch, int tokens)
        {
            if (tokens <= 0)
                return 0;
            double gemm = GemmSeconds((double)batch * tokens, Spec.Hidden, 2.0 * Spec.KvDim);
            double rotary = Spec.RopeTheta > 0 ? MemoryBoundSeconds(KvBytes(batch, tokens)) : 0;
            return gemm + rotary;
        }

        /// <summary>
        /// The activations of <paramref name="tokens"/> tokens crossing the link in <paramref name="chunks"/>
        /// copies (never more copies than tokens).
        /// </summary>
        public double ActivationTransferSeconds(int batch, int tokens, int chunks)
        {
            if (tokens <= 0)
                return 0;
            int copies = Math.Max(1, Math.Min(chunks, tokens));
            return copies * TransferSeconds((double)ActivationBytes(batch, tokens) / copies);
        }

        /// <summary>K and V of <paramref name="tokens"/> tokens crossing the link: two copies.</summary>
        public double KvTransferSeconds(int batch, int tokens) => tokens <= 0 ? 0 : 2 * TransferSeconds(KvBytes(batch, tokens) / 2.0);

        /// <summary>The paper's per-layer time: M_X/v + max(t_recompute, M_KV/v).</summary>
        public double PaperLayerSeconds(StepShape shape) => PipelinedLayerSeconds(shape, 1);

        /// <summary>
        /// Time until an offloaded layer's K and V are complete on the GPU when the activations arrive in
        /// <paramref name="chunks"/> chunks, each recomputed while the rest (and then the KV) still crosses:
        /// the latest of the link finishing (t_X + t_KV), the last chunk's recompute (t_X + t_r/C) and the
        /// recompute chain that starts with the first chunk (t_X/C + t_r). One chunk gives the paper's model.
        /// </summary>
        public double PipelinedLayerSeconds(StepShape shape, int chunks)
        {
            if (chunks < 1)
                throw new ArgumentOutOfRangeException(nameof(chunks), chunks, "At least one chunk is needed.");
            int l = shape.RecomputeTokens;
            int effectiveChunks = Math.Max(1, Math.Min(chunks, l));
            double activations = ActivationTransferSeconds(shape.Batch, l, chunks);
            double kv = KvTransferSeconds(shape.Batch, shape.TransferredTokens);
            double recompute = RecomputeSeconds(shape.Batch, l);
            return Math.Max(activations + kv, Math.Max(activations + recompute / effectiveChunks, activations / effectiveChunks + recompute));
        }

        /// <summary>An offloaded layer's KV-ready time with the configured activation chunks.</summary>
        public double OffloadedLayerSeconds(StepShape shape) => PipelinedLayerSeconds(shape, Settings.ActivationChunks);

        /// <summary>
        /// A decoder layer's own work for one new token per sequence: QKV, output and MLP GEMMs at M = b
        /// (memory-bound: the weights are read from device memory), attention reading the K and V of all
        /// s' + 1 tokens, and the elementwise kernels. Zero when layer compute is not charged.
        /// </summary>
        public double LayerComputeSeconds(int batch, int length)
        {
            if (!Settings.ChargeLayerCompute)
                return 0;
            int h = Spec.Hidden, q = Spec.QueryDim, f = Spec.FfnHidden;
            double qkv = GemmSeconds(batch, h, q + 2.0 * Spec.KvDim);
            double output = GemmSeconds(batch, q, h);
            double mlp = GemmSeconds(batch, h, (Spec.GatedMlp ? 2.0 : 1.0) * f) + GemmSeconds(batch, f, h);
            double attention = MemoryBoundSeconds(KvBytes(batch, length + 1));
            return qkv + output + mlp + attention + ElementwiseKernelsPerLayer * LaunchSeconds;
        }

        /// <summary>Work outside the layers per step: embedding lookup, final norm and the LM head GEMM.</summary>
        public double OuterComputeSeconds(int batch)
        {
            if (!Settings.ChargeLayerCompute)
                return 0;
            return GemmSeconds(batch, Spec.Hidden, Spec.Vocab) + 2 * LaunchSeconds;
        }

        /// <summary>Copying one layer's new-token X, K and V to the host store: three device→host copies.</summary>
        public double WriteBackSeconds(int batch)
        {
            if (!Settings.ChargeWriteBack)
                return 0;
            return DeviceToHostSeconds(ActivationBytes(batch, 1)) + 2 * DeviceToHostSeconds(KvBytes(batch, 1) / 2.0);
        }

        // ---- CPU attention ----

        /// <summary>One layer's queries copied down for CPU attention: b·heads·headDim fp32 values.</summary>
        public long HostQueryBytes(int batch) => checked(4L * batch * Spec.Heads * Spec.HeadDim);

        /// <summary>One layer's partial results of CPU attention, which the combine reads over PCIe: per sequence and head the weighted V sum, the running max and the sum of exponentials, fp32.</summary>
        public long HostPartialBytes(int batch) => checked(4L * batch * Spec.Heads * (Spec.HeadDim + 2L));

        /// <summary>
        /// What CPU attention costs a layer besides its tokens: the queries down, the partials up (a small copy and the
        /// combine's reads over PCIe, each at the link's latency) and the host function's launch, charged as two kernel launches.
        /// </summary>
        public double HostRoundTripSeconds(int batch) =>
            DeviceToHostSeconds(HostQueryBytes(batch)) + TransferSeconds(HostPartialBytes(batch)) + 2 * LaunchSeconds;

        /// <summary>
        /// CPU attention over <paramref name="tokens"/> stored tokens of one layer: their K and V read at the profile's
        /// CPU attention rate, plus the round trip when there are any.
        /// </summary>
        /// <exception cref="InvalidOperationException">The profile has not measured CPU attention.</exception>
        public double HostAttentionSeconds(int batch, int tokens) =>
            tokens <= 0 ? 0 : tokens * HostAttentionSecondsPerToken(batch) + HostRoundTripSeconds(batch);

        /// <summary>
        /// CPU attention's time per stored token of one layer, without the round trip. The kernel widens each K, V row once
        /// and then does a dot product and a weighted sum per query head that reads it, so a row's cost is linear in g, the
        /// query heads per KV head: the profile's multi-head rate gives g = 1 and its grouped rate (four heads a row) the
        /// slope. A profile without the grouped rate prices a row of g heads as g multi-head rows (the first kernel, bound by
        /// its arithmetic, measured that way).
        /// </summary>
        public double HostAttentionSecondsPerToken(int batch)
        {
            int group = Spec.Heads / Spec.KvHeads;
            double single = 1 / HostAttentionBytesPerSecond;
            double perByte = group == 1 ? single
                : Profile.HostGroupedAttentionBytesPerSecond is double grouped
                    // Never below one head's cost: a faster grouped figure is measurement noise.
                    ? single + (group - 1) * Math.Max(0, 1 / grouped - single) / (HardwareProfile.GroupedAttentionQueryHeads - 1)
                    : group * single;
            return KvBytes(batch, 1) * perByte;
        }

        /// <summary>
        /// What an offloaded layer's CPU share changes on the GPU: the merge of the CPU's partials with its own (a
        /// memory-bound kernel over both), less the attention over the host tokens that the GPU no longer reads.
        /// </summary>
        public double HostShareGpuSeconds(int batch, int hostTokens) =>
            hostTokens <= 0 || !Settings.ChargeLayerCompute ? 0
            : MemoryBoundSeconds(2.0 * HostPartialBytes(batch)) - KvBytes(batch, hostTokens) / Profile.DeviceMemoryBytesPerSecond;

        /// <summary>Stored K and V bytes per second that CPU attention folds in (the profile's <c>hostAttentionGBps</c>).</summary>
        public double HostAttentionBytesPerSecond => Profile.HostAttentionBytesPerSecond ?? throw Unmeasured("hostAttentionGBps");

        /// <summary>Host memory read bandwidth that the link's DMA and CPU attention share (the profile's <c>hostMemoryReadGBps</c>).</summary>
        public double HostMemoryReadBytesPerSecond => Profile.HostMemoryReadBytesPerSecond ?? throw Unmeasured("hostMemoryReadGBps");

        private InvalidOperationException Unmeasured(string field) =>
            new($"Hardware profile '{Profile.Name}' has no {field}, so no step of a plan for it can give the CPU tokens.");

        // ---- Tensor parallelism ----

        /// <summary>Bytes of the hidden state of <paramref name="rows"/> tokens: what one all-reduce of a block's output sums.</summary>
        public long AllReduceBytes(long rows) => checked(rows * Spec.Hidden * Spec.ElementBytes);

        /// <summary>What each of <paramref name="ranks"/> GPUs sends (and receives) in a ring all-reduce of <paramref name="rows"/> tokens: 2(N − 1)/N of the bytes.</summary>
        public long AllReduceSentBytes(long rows, int ranks) => 2 * (ranks - 1) * AllReduceBytes(rows) / ranks;

        /// <summary>
        /// A ring all-reduce of <paramref name="rows"/> tokens' hidden state over <paramref name="ranks"/> GPUs: each sends and
        /// receives 2(N − 1)/N of the bytes, at the profile's <c>interconnectGBps</c>; 0 on one GPU.
        /// </summary>
        /// <exception cref="InvalidOperationException">The profile measured no interconnect, so tensor parallelism cannot be priced on it.</exception>
        public double AllReduceSeconds(long rows, int ranks)
        {
            if (ranks <= 1)
                return 0;
            double bandwidth = Profile.InterconnectBytesPerSecond
                ?? throw new InvalidOperationException($"Hardware profile '{Profile.Name}' has no interconnectGBps, so a model split over {ranks} GPUs cannot be priced on it: " +
                    "measure the all-reduce bandwidth between its GPUs (NCCL's bus bandwidth) and add it to the profile.");
            return AllReduceSentBytes(rows, ranks) / bandwidth + LaunchSeconds;
        }

        /// <summary>A layer's two all-reduces (after attention and after the MLP) of <paramref name="rows"/> tokens over <paramref name="ranks"/> GPUs; 0 on one.</summary>
        public double LayerAllReducesSeconds(double rows, int ranks) => 2 * AllReduceSeconds((long)Math.Ceiling(rows), ranks);

        // ---- A whole step ----

        /// <summary>
        /// One decode step of <paramref name="microBatches"/> micro-batches of shape <paramref name="shape"/>
        /// (every offloaded layer recomputes the same l tokens and gives the CPU the same host tokens), with
        /// <paramref name="residency"/> deciding which layers keep their KV and weights on the GPU. Weights cross the
        /// link once per layer for the whole group; everything else once per micro-batch. CPU attention runs on its own
        /// lane, overlapping the link (which already carries the next layers) and the recompute, but not the layers' own
        /// compute: a layer's share starts once its queries exist, which need the layer before it finished, whose attention
        /// needed its CPU share — so the CPU lane and every layer's compute form one chain.
        /// </summary>
        /// <param name="ranks">GPUs the model is split over (tensor parallelism): each layer's two all-reduces join the GPU's work.</param>
        public StepCost Step(StepShape shape, Residency residency, int microBatches = 1, int ranks = 1)
        {
            if (shape.RecomputeTokens < 0 || shape.RecomputeTokens > shape.Length)
                throw new ArgumentOutOfRangeException(nameof(shape), shape, "RecomputeTokens must lie in [0, Length].");
            if (shape.HostTokens < 0 || shape.TransferredTokens < 0)
                throw new ArgumentOutOfRangeException(nameof(shape), shape, "HostTokens must lie in [0, Length - RecomputeTokens].");
            int layers = Spec.Layers;
            int offloaded = residency.OffloadedLayers(layers);
            int streamed = residency.StreamedLayerCount(layers);
            int b = shape.Batch;

            double perMicroBatchLink = offloaded * (ActivationTransferSeconds(b, shape.RecomputeTokens, Settings.ActivationChunks)
                + KvTransferSeconds(b, shape.TransferredTokens));
            double link = microBatches * perMicroBatchLink + streamed * TransferSeconds(WeightBytesPerLayer);
            // A micro-batch's compute that every layer does, offloaded or not.
            double layersCompute = layers * (LayerComputeSeconds(b, shape.Length) + LayerAllReducesSeconds(b, ranks));
            double gpu = microBatches * (offloaded * (RecomputeSeconds(b, shape.RecomputeTokens) + HostShareGpuSeconds(b, shape.HostTokens))
                + layersCompute + OuterComputeSeconds(b));
            double writeBack = microBatches * offloaded * WriteBackSeconds(b);
            double offloadedLayers = offloaded == 0 ? 0
                : Settings.PrefetchNextLayer ? Math.Max(link + PipelineDrainSeconds(shape), PipelineFillSeconds(shape) + gpu)
                : microBatches * offloaded * OffloadedLayerSeconds(shape);
            if (shape.HostTokens == 0 || offloaded == 0)
                return new StepCost(link, gpu, writeBack, offloadedLayers);

            double cpu = microBatches * offloaded * HostAttentionSeconds(b, shape.HostTokens);
            double hostMemory = HostReadBytes(shape, residency, microBatches) / HostMemoryReadBytesPerSecond;
            offloadedLayers = Settings.PrefetchNextLayer
                ? Math.Max(offloadedLayers, cpu + microBatches * (layersCompute + OuterComputeSeconds(b)))
                : microBatches * offloaded * Math.Max(OffloadedLayerSeconds(shape), HostAttentionSeconds(b, shape.HostTokens));
            return new StepCost(link, gpu, writeBack, offloadedLayers, cpu, hostMemory);
        }

        /// <summary>
        /// The prefill of <paramref name="microBatches"/> micro-batches of <paramref name="batch"/> prompts of
        /// <paramref name="prompt"/> tokens, in chunks of <see cref="DeviceBufferShape.PrefillTokens"/>: each layer's
        /// GEMMs over every prompt token, causal attention, the head on each chunk's last tokens; streamed layers'
        /// weights cross once a chunk; offloaded layers write X, K and V of every prompt token back and bring back the
        /// earlier chunks' tokens for each later chunk (priced as X crossing and recomputed, the cheaper way on a GPU
        /// that recomputes faster than the link moves K and V). Engines overlap the three, so the busiest one lasts.
        /// </summary>
        /// <param name="ranks">GPUs the model is split over: each layer's two all-reduces of every prompt token join the GPU's work.</param>
        public double PrefillSeconds(int batch, int prompt, Residency residency, int microBatches = 1, int ranks = 1)
        {
            int layers = Spec.Layers, h = Spec.Hidden, q = Spec.QueryDim, f = Spec.FfnHidden;
            int offloaded = residency.OffloadedLayers(layers);
            int streamed = residency.StreamedLayerCount(layers);
            double rows = (double)batch * prompt;
            int chunk = DeviceBufferShape.PrefillTokens(batch, prompt, DeviceBufferShape.DefaultPrefillRows), chunks = (prompt + chunk - 1) / chunk;
            // Tokens of earlier chunks each later chunk brings back: chunk · (0 + 1 + … + chunks − 1).
            int reloaded = chunk * (chunks * (chunks - 1) / 2);
            double layer = GemmSeconds(rows, h, q + 2.0 * Spec.KvDim) + GemmSeconds(rows, q, h)
                + GemmSeconds(rows, h, (Spec.GatedMlp ? 2.0 : 1.0) * f) + GemmSeconds(rows, f, h)
                // Causal attention: scores and context, each half of a prompt × prompt product per head, at the measured share
                // of the GEMM rate that the model's prefill attention kernel reaches.
                + 2.0 * batch * Spec.Heads * prompt * prompt * Spec.HeadDim / (Profile.GemmFlopsPerSecond(rows) * PrefillAttentionRate.ShareOfGemmRate(Spec.HeadDim))
                + chunks * ElementwiseKernelsPerLayer * LaunchSeconds
                + chunks * LayerAllReducesSeconds(rows / chunks, ranks);
            double gpu = microBatches * (layers * layer + offloaded * RecomputeSeconds(batch, reloaded) + chunks * OuterComputeSeconds(batch));
            double link = chunks * streamed * TransferSeconds(WeightBytesPerLayer) + microBatches * offloaded * TransferSeconds(ActivationBytes(batch, reloaded));
            double writeBack = microBatches * offloaded * DeviceToHostSeconds(ActivationBytes(batch, prompt) + KvBytes(batch, prompt));
            return Math.Max(gpu, Math.Max(link, writeBack));
        }

        /// <summary>
        /// What follows the link's last byte of a step: the last offloaded layer recomputes its last chunk and
        /// runs its own compute.
        /// </summary>
        public double PipelineDrainSeconds(StepShape shape)
        {
            int chunks = Math.Max(1, Math.Min(Settings.ActivationChunks, shape.RecomputeTokens));
            return RecomputeSeconds(shape.Batch, shape.RecomputeTokens) / chunks + LayerComputeSeconds(shape.Batch, shape.Length);
        }

        /// <summary>What precedes the GPU's first recompute of a step: the first offloaded layer's first activation chunk (or its KV at l = 0).</summary>
        public double PipelineFillSeconds(StepShape shape)
        {
            int chunks = Math.Max(1, Math.Min(Settings.ActivationChunks, shape.RecomputeTokens));
            return shape.RecomputeTokens > 0
                ? TransferSeconds((double)ActivationBytes(shape.Batch, shape.RecomputeTokens) / chunks)
                : KvTransferSeconds(shape.Batch, shape.TransferredTokens);
        }

        /// <summary>
        /// Bytes one step moves host→device: every offloaded layer's activations of the l recomputed tokens and K and V of the
        /// transferred ones per micro-batch, and the streamed layers' weights once for the group. The link's DMA reads them
        /// all from host memory, which every GPU's link of a host shares.
        /// </summary>
        public double HostToDeviceBytes(StepShape shape, Residency residency, int microBatches = 1)
        {
            int layers = Spec.Layers;
            int offloaded = residency.OffloadedLayers(layers);
            int streamed = residency.StreamedLayerCount(layers);
            return microBatches * offloaded * ((double)ActivationBytes(shape.Batch, shape.RecomputeTokens) + KvBytes(shape.Batch, shape.TransferredTokens))
                + streamed * (double)WeightBytesPerLayer;
        }

        /// <summary>Bytes one step reads from host memory: what crosses host→device and the K and V that CPU attention reads in place.</summary>
        public double HostReadBytes(StepShape shape, Residency residency, int microBatches = 1)
        {
            int offloaded = residency.OffloadedLayers(Spec.Layers);
            return HostToDeviceBytes(shape, residency, microBatches) + microBatches * offloaded * (double)KvBytes(shape.Batch, shape.HostTokens);
        }

        /// <summary>Bytes of K and V of every layer at s' tokens for one micro-batch: what crosses at l = 0.</summary>
        public long AllKvBytes(int batch, int length) => checked(Spec.Layers * KvBytes(batch, length));

        /// <summary>Bytes of X of every layer at s' tokens for one micro-batch: what crosses at l = s'.</summary>
        public long AllActivationBytes(int batch, int length) => checked(Spec.Layers * ActivationBytes(batch, length));

        /// <summary>Lower bound of a step that transfers the KV of every layer and recomputes nothing.</summary>
        public double FloorAllKvSeconds(int batch, int length, int microBatches = 1) =>
            TransferSeconds((double)microBatches * AllKvBytes(batch, length));

        /// <summary>Lower bound of a step that transfers the activations of every layer and recomputes all KV for free.</summary>
        public double FloorAllRecomputeSeconds(int batch, int length, int microBatches = 1) =>
            TransferSeconds((double)microBatches * AllActivationBytes(batch, length));
    }
}
