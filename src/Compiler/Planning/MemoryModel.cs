using System;
using System.Collections.Generic;

namespace Kvpr.Planning
{
    /// <summary>
    /// GPU memory a plan occupies: the buffers of <see cref="DeviceBufferList"/> (resident weights and KV, the
    /// staging buffers that streamed layers cross through, embeddings and head, activations and scratch) and a
    /// reserve for the CUDA context and library workspaces. Sized for the workload's longest sequence.
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

        /// <summary>The buffers' sizes: the workload's micro-batches, its longest length, its prompt as prefill rows.</summary>
        public DeviceBufferShape Shape => DeviceBufferShape.For(_workload);

        /// <summary>Weights of one layer kept on the GPU.</summary>
        public long WeightBytesPerLayer => DeviceBufferList.LayerWeights(Spec, 0).Bytes;

        /// <summary>K and V (and new-token activations) of one layer for every sequence of every micro-batch at the longest length.</summary>
        public long ResidentKvBytesPerLayer => DeviceBufferList.Bytes(DeviceBufferList.ResidentKv(Spec, Shape, 0));

        /// <summary>
        /// Double buffers for one offloaded layer of one micro-batch: its activations and its full K and V
        /// (recomputed and transferred parts), so the next layer's transfer lands while this one computes.
        /// </summary>
        public long KvStagingBytes => DeviceBufferList.Bytes(DeviceBufferList.KvStaging(Spec, Shape));

        /// <summary>Double buffers for one streamed layer's weights.</summary>
        public long WeightStagingBytes => DeviceBufferList.Bytes(DeviceBufferList.WeightSlots(Spec));

        /// <summary>What every plan holds (<see cref="DeviceBufferList.Fixed"/>) and the runtime reserve.</summary>
        public long FixedBytes => DeviceBufferList.Bytes(DeviceBufferList.Fixed(Spec, Shape)) + RuntimeReserveBytes;

        /// <summary>GPU memory the plan may use: the profile's whole memory, or less where the workload caps it.</summary>
        public long BudgetBytes => Math.Min(_workload.GpuMemoryBytes ?? long.MaxValue, _cost.Profile.GpuMemoryBytes);

        /// <summary>GPU memory that <paramref name="residency"/> occupies: its buffer list and the runtime reserve.</summary>
        public long BytesFor(Residency residency) => DeviceBufferList.Bytes(BuffersFor(residency)) + RuntimeReserveBytes;

        /// <summary>The device buffers a generation with <paramref name="residency"/> allocates.</summary>
        public IReadOnlyList<PlannedBuffer> BuffersFor(Residency residency) => DeviceBufferList.For(Spec, Shape, residency);

        public bool Fits(Residency residency) => BytesFor(residency) <= BudgetBytes;

        /// <summary>Host memory the plan may use: the profile's, or less where the workload caps it.</summary>
        public long HostBudgetBytes => Math.Min(_workload.HostMemoryBytes ?? long.MaxValue, _cost.Profile.HostMemoryBytes);

        /// <summary>
        /// Host memory: a copy of every layer's weights (resident layers are uploaded from it, streamed ones cross from
        /// it at every step) and the host store of the offloaded layers for every sequence at the longest length: X,
        /// and K and V unless <paramref name="keepsKv"/> is false because every step recomputes every stored token.
        /// </summary>
        public long HostBytesFor(Residency residency, bool keepsKv)
        {
            int offloaded = Spec.Layers - residency.KvResidentLayers;
            int sequences = checked(_workload.Batch * _workload.MicroBatches);
            return checked(offloaded * (_cost.ActivationBytes(sequences, _workload.MaxLength) + (keepsKv ? _cost.KvBytes(sequences, _workload.MaxLength) : 0))
                + Spec.Layers * WeightBytesPerLayer);
        }
    }
}
