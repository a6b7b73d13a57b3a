using System.Collections.Generic;
using System.Linq;

namespace Kvpr.Planning
{
    /// <summary>
    /// Every device buffer a generation allocates, the one source of GPU memory for the planner
    /// (<see cref="MemoryModel"/>) and the runtime, which allocates exactly this list once per generation (outer
    /// weights once per engine). Scratch serves one micro-batch's new-token rows at a time: the whole prompt in
    /// prefill, so its rows are batch × prompt.
    /// </summary>
    public static class DeviceBufferList
    {
        /// <summary>
        /// Decode attention never partitions a sequence into parts shorter than this (the kernels' <c>DecodePartitions</c>), so
        /// ⌈capacity / this⌉ partitions bound its partial buffers on any GPU.
        /// </summary>
        public const int MinTokensPerPartition = 128;

        /// <summary>Bytes of the GEMM library's workspace (<see cref="DeviceBufferRole.LibraryWorkspace"/>).</summary>
        public const long LibraryWorkspaceBytes = 32L << 20;

        /// <summary>
        /// Where a device buffer may start: a generation's buffers are carved from one block, each at a multiple of
        /// this (cuMemAlloc's own alignment, which vectorised loads and cuBLAS's fast paths rely on).
        /// </summary>
        public const int AlignmentBytes = 256;

        /// <summary><paramref name="bytes"/> rounded up to <see cref="AlignmentBytes"/>: what one buffer takes of a block.</summary>
        public static long Aligned(long bytes) => checked((bytes + AlignmentBytes - 1) / AlignmentBytes * AlignmentBytes);

        /// <summary>Everything, in allocation order, for <paramref name="residency"/>.</summary>
        public static IReadOnlyList<PlannedBuffer> For(ModelSpec spec, DeviceBufferShape shape, Residency residency)
        {
            var buffers = new List<PlannedBuffer>(Fixed(spec, shape));
            for (int layer = 0; layer < spec.Layers; layer++)
                if (residency.AreWeightsResident(layer, spec.Layers))
                    buffers.Add(LayerWeights(spec, layer));
            if (residency.WeightResidentLayers < spec.Layers)
                buffers.AddRange(WeightSlots(spec));
            for (int layer = 0; layer < residency.KvResidentLayers; layer++)
                buffers.AddRange(ResidentKv(spec, shape, layer));
            if (residency.KvResidentLayers < spec.Layers)
                buffers.AddRange(KvStaging(spec, shape));
            return buffers;
        }

        public static long Bytes(IEnumerable<PlannedBuffer> buffers) => buffers.Sum(b => b.Bytes);

        /// <summary>What every plan holds: outer weights, per micro-batch hidden states, logits and token ids, compute scratch, the GEMM library's workspace.</summary>
        public static IEnumerable<PlannedBuffer> Fixed(ModelSpec spec, DeviceBufferShape shape)
        {
            int p = spec.ElementBytes, single = sizeof(float);
            long h = spec.Hidden, q = spec.QueryDim, f = spec.FfnHidden, rows = checked((long)shape.MaxBatch * shape.MaxNewTokens);
            yield return new(DeviceBufferRole.OuterWeights, 0, spec.OuterWeightElements, p);
            for (int m = 0; m < shape.MicroBatchSizes.Count; m++)
            {
                int size = shape.MicroBatchSizes[m];
                yield return new(DeviceBufferRole.Hidden, m, checked(size * (long)shape.MaxNewTokens * h), single);
                yield return new(DeviceBufferRole.Logits, m, checked(size * (long)shape.LogitRows * spec.Vocab), single);
                yield return new(DeviceBufferRole.TokenIds, m, checked(size * (long)shape.MaxNewTokens), single);
            }
            yield return new(DeviceBufferRole.Normed, 0, checked(rows * h), p);
            yield return new(DeviceBufferRole.Qkv, 0, checked(rows * (q + 2L * spec.KvDim)), p);
            yield return new(DeviceBufferRole.Query, 0, checked(rows * q), single);
            yield return new(DeviceBufferRole.Context, 0, checked(rows * q), p);
            yield return new(DeviceBufferRole.Projected, 0, checked(rows * h), p);
            yield return new(DeviceBufferRole.Mlp, 0, checked(rows * f), p);
            if (spec.GatedMlp)
                yield return new(DeviceBufferRole.GateUp, 0, checked(rows * 2 * f), p);
            // CPU attention's partials stay in pinned host memory, where the combine reads them.
            int partitions = (shape.Capacity + MinTokensPerPartition - 1) / MinTokensPerPartition;
            long partials = checked((long)shape.MaxBatch * spec.Heads * partitions);
            yield return new(DeviceBufferRole.PartialAccumulators, 0, checked(partials * spec.HeadDim), single);
            yield return new(DeviceBufferRole.PartialMaxima, 0, partials, single);
            yield return new(DeviceBufferRole.PartialSums, 0, partials, single);
            yield return new(DeviceBufferRole.GreedyTokens, 0, shape.MaxBatch, single);
            yield return new(DeviceBufferRole.LibraryWorkspace, 0, LibraryWorkspaceBytes / single, single);
        }

        /// <summary>The weights of one layer kept on the GPU.</summary>
        public static PlannedBuffer LayerWeights(ModelSpec spec, int layer) => new(DeviceBufferRole.LayerWeights, layer, spec.LayerWeightElements, spec.ElementBytes);

        /// <summary>The two slots streamed weights cross into, one layer ahead of the compute.</summary>
        public static IEnumerable<PlannedBuffer> WeightSlots(ModelSpec spec) =>
            Enumerable.Range(0, Residency.WeightSlots).Select(slot => new PlannedBuffer(DeviceBufferRole.WeightSlot, slot, spec.LayerWeightElements, spec.ElementBytes));

        /// <summary>K, V and new-token activations of one KV-resident layer, for every micro-batch.</summary>
        public static IEnumerable<PlannedBuffer> ResidentKv(ModelSpec spec, DeviceBufferShape shape, int layer)
        {
            int p = spec.ElementBytes, microBatches = shape.MicroBatchSizes.Count;
            for (int m = 0; m < microBatches; m++)
            {
                int size = shape.MicroBatchSizes[m], index = layer * microBatches + m;
                yield return new(DeviceBufferRole.ResidentKeys, index, checked((long)size * shape.Capacity * spec.KvDim), p);
                yield return new(DeviceBufferRole.ResidentValues, index, checked((long)size * shape.Capacity * spec.KvDim), p);
                yield return new(DeviceBufferRole.ResidentNewActivations, index, checked((long)size * shape.MaxNewTokens * spec.Hidden), p);
            }
        }

        /// <summary>The double-buffered KV and activation slots offloaded layers stream through, and the recompute GEMM's output.</summary>
        public static IEnumerable<PlannedBuffer> KvStaging(ModelSpec spec, DeviceBufferShape shape)
        {
            int p = spec.ElementBytes;
            long batch = shape.MaxBatch;
            for (int slot = 0; slot < 2; slot++)
            {
                yield return new(DeviceBufferRole.SlotKeys, slot, checked(batch * shape.Capacity * spec.KvDim), p);
                yield return new(DeviceBufferRole.SlotValues, slot, checked(batch * shape.Capacity * spec.KvDim), p);
                yield return new(DeviceBufferRole.SlotNewActivations, slot, checked(batch * shape.MaxNewTokens * spec.Hidden), p);
                yield return new(DeviceBufferRole.ActivationSlot, slot, checked(batch * shape.Capacity * spec.Hidden), p);
            }
            yield return new(DeviceBufferRole.Recomputed, 0, checked(batch * shape.Capacity * 2L * spec.KvDim), p);
        }
    }
}
