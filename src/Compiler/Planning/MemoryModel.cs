using System;
using System.Collections.Generic;

namespace Kvpr.Planning
{
    /// <summary>
    /// GPU memory a plan occupies: the buffers of <see cref="DeviceBufferList"/> (resident weights and KV, the
    /// staging buffers that streamed layers cross through, embeddings and head, activations and scratch) and a
    /// reserve for the CUDA context and libraries. Sized for the workload's longest sequence.
    /// </summary>
    public sealed class MemoryModel
    {
        /// <summary>
        /// The CUDA context, loaded kernels, cuBLAS's handle and allocator slack that no plan can use (cuBLAS's
        /// workspace is in the list: <see cref="DeviceBufferRole.LibraryWorkspace"/>).
        /// </summary>
        public const long RuntimeReserveBytes = 480L << 20;

        private readonly CostModel _cost;
        private readonly DecodeWorkload _workload;

        private readonly bool _hostAttention;

        /// <param name="hostAttention">Whether some step gives the CPU tokens: the host pins query and partial buffers.</param>
        public MemoryModel(CostModel cost, DecodeWorkload workload, bool hostAttention = false)
        {
            _cost = cost ?? throw new ArgumentNullException(nameof(cost));
            _workload = workload ?? throw new ArgumentNullException(nameof(workload));
            _hostAttention = hostAttention;
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
        public long HostBudgetBytes => HostBudget(_workload, _cost.Profile);

        /// <summary>Host memory a workload may use on <paramref name="profile"/>'s host: the host's, or less where the workload caps it.</summary>
        public static long HostBudget(DecodeWorkload workload, HardwareProfile profile) =>
            Math.Min(workload.HostMemoryBytes ?? long.MaxValue, profile.HostMemoryBytes);

        /// <summary>
        /// Host memory: a copy of every layer's weights (resident layers are uploaded from it, streamed ones cross from
        /// it at every step) and the host store of the offloaded layers for every sequence at the longest length: X,
        /// and K and V unless <paramref name="keepsKv"/> is false because every step recomputes every stored token; with CPU
        /// attention, each micro-batch's pinned buffers for the queries it sends down and the partials it gets back.
        /// </summary>
        public long HostBytesFor(Residency residency, bool keepsKv)
        {
            int offloaded = residency.OffloadedLayers(Spec.Layers);
            int sequences = checked(_workload.Batch * _workload.MicroBatches);
            long hostAttention = _hostAttention ? checked(_workload.MicroBatches * (_cost.HostQueryBytes(_workload.Batch) + _cost.HostPartialBytes(_workload.Batch))) : 0;
            return checked(offloaded * (_cost.ActivationBytes(sequences, _workload.MaxLength) + (keepsKv ? _cost.KvBytes(sequences, _workload.MaxLength) : 0))
                + Spec.Layers * WeightBytesPerLayer + hostAttention);
        }
    }
}
