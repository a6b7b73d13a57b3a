using System;

namespace Kvpr.Planning
{
    /// <summary>
    /// GPU memory a plan occupies: resident weights and KV, the staging buffers that offloaded layers stream
    /// through, and what every plan needs (embeddings and head, per-step activations, CUDA context and
    /// library workspaces). Sized for the workload's longest sequence, where memory binds.
    /// </summary>
    public sealed class MemoryModel
    {
        /// <summary>CUDA context, cuBLAS workspace and allocator slack that no plan can use.</summary>
        public const long RuntimeReserveBytes = 512L << 20;

        private readonly CostModel _cost;
        private readonly DecodeWorkload _workload;

        public MemoryModel(CostModel cost, DecodeWorkload workload)
        {
            _cost = cost ?? throw new ArgumentNullException(nameof(cost));
            _workload = workload ?? throw new ArgumentNullException(nameof(workload));
        }

        private ModelSpec Spec => _cost.Spec;

        /// <summary>Weights of one layer kept on the GPU.</summary>
        public long WeightBytesPerLayer => _cost.WeightBytesPerLayer;

        /// <summary>K and V of one layer for every sequence of every micro-batch at the longest length.</summary>
        public long ResidentKvBytesPerLayer => _cost.KvBytes(checked(_workload.Batch * _workload.MicroBatches), _workload.MaxLength);

        /// <summary>
        /// Double buffers for one offloaded layer of one micro-batch: its activations and its full K and V
        /// (recomputed and transferred parts), so the next layer's transfer lands while this one computes.
        /// </summary>
        public long KvStagingBytes => checked(2 * (_cost.ActivationBytes(_workload.Batch, _workload.MaxLength) + _cost.KvBytes(_workload.Batch, _workload.MaxLength)));

        /// <summary>Double buffers for one streamed layer's weights.</summary>
        public long WeightStagingBytes => checked(2 * WeightBytesPerLayer);

        /// <summary>
        /// What every plan holds: embeddings, positions, final norm and head; the hidden states, MLP
        /// intermediate, attention scores and fp32 logits of one micro-batch; the runtime reserve.
        /// </summary>
        public long FixedBytes
        {
            get
            {
                long b = _workload.Batch, p = Spec.ElementBytes;
                return checked(Spec.OuterWeightElements * p
                    + b * (4L * Spec.Hidden + 2L * Spec.FfnHidden) * p // activations
                    + b * Spec.Heads * _workload.MaxLength * sizeof(float) // attention scores
                    + b * Spec.Vocab * sizeof(float) // logits
                    + RuntimeReserveBytes);
            }
        }

        /// <summary>GPU memory the plan may use: the profile's whole memory, or less where the workload caps it.</summary>
        public long BudgetBytes => Math.Min(_workload.GpuMemoryBytes ?? long.MaxValue, _cost.Profile.GpuMemoryBytes);

        /// <summary>GPU memory that <paramref name="residency"/> occupies, staging buffers included where something streams.</summary>
        public long BytesFor(Residency residency)
        {
            int layers = Spec.Layers;
            return checked(FixedBytes + residency.WeightResidentLayers * WeightBytesPerLayer + residency.KvResidentLayers * ResidentKvBytesPerLayer
                + (residency.KvResidentLayers < layers ? KvStagingBytes : 0)
                + (residency.WeightResidentLayers < layers ? WeightStagingBytes : 0));
        }

        public bool Fits(Residency residency) => BytesFor(residency) <= BudgetBytes;

        /// <summary>
        /// Host memory for the offloaded layers' store: X and K, V of every sequence at the longest length,
        /// plus the streamed layers' weights.
        /// </summary>
        public long HostBytesFor(Residency residency)
        {
            int offloaded = Spec.Layers - residency.KvResidentLayers, streamed = Spec.Layers - residency.WeightResidentLayers;
            int sequences = checked(_workload.Batch * _workload.MicroBatches);
            return checked(offloaded * (_cost.ActivationBytes(sequences, _workload.MaxLength) + _cost.KvBytes(sequences, _workload.MaxLength))
                + streamed * WeightBytesPerLayer);
        }
    }
}
