using System.Linq;
using Kvpr.Backend;

namespace Kvpr.Execution
{
    /// <summary>
    /// The device buffers the steps of a generation use, one per <c>Kvpr.Graphs.BufferKind</c>: per micro-batch
    /// a hidden state and logits; two K/V slots and two activation slots shared by the offloaded layers (a
    /// layer loads into one while its predecessor computes from the other); and K and V of every micro-batch for
    /// each KV-resident layer. Sized for up to <c>maxNewTokens</c> new tokens per sequence: the prompt in
    /// prefill, one when decoding. Compute scratch is the backend's (<see cref="IDeviceModel.CreateCompute"/>).
    /// </summary>
    internal sealed class StepBuffers
    {
        public const int Slots = 2;

        public StepBuffers(IDevice device, ModelSpec spec, int[] microBatchSizes, int capacity, int maxNewTokens, int logitRowsPerSequence, int kvResidentLayers)
        {
            int batch = microBatchSizes.Max();
            MaxBatch = batch;
            Capacity = capacity;
            MaxNewTokens = maxNewTokens;
            Hidden = microBatchSizes.Select(size => device.AllocateSingle((long)size * maxNewTokens * spec.Hidden)).ToArray();
            Logits = microBatchSizes.Select(size => device.AllocateSingle((long)size * logitRowsPerSequence * spec.Vocab)).ToArray();
            KvSlots = Enumerable.Range(0, Slots).Select(_ => new KvBuffer(device, spec, batch, capacity, maxNewTokens)).ToArray();
            ActivationSlots = Enumerable.Range(0, Slots).Select(_ => device.Allocate((long)batch * capacity * spec.Hidden)).ToArray();
            ResidentKv = Enumerable.Range(0, kvResidentLayers)
                .Select(_ => microBatchSizes.Select(size => new KvBuffer(device, spec, size, capacity, maxNewTokens)).ToArray())
                .ToArray();
        }

        /// <summary>Sequences of the largest micro-batch.</summary>
        public int MaxBatch { get; }

        /// <summary>Tokens per sequence the KV and activation buffers hold.</summary>
        public int Capacity { get; }

        /// <summary>New tokens per sequence a step may append (the prompt length).</summary>
        public int MaxNewTokens { get; }

        /// <summary>Per micro-batch: residual stream [batch][new tokens][hidden], fp32 on every device.</summary>
        public IDeviceBuffer[] Hidden { get; }

        /// <summary>Per micro-batch: [batch][logit rows][vocab], fp32 on every device.</summary>
        public IDeviceBuffer[] Logits { get; }

        public KvBuffer[] KvSlots { get; }

        /// <summary>Stored activations X of the recomputed prefix, batch × capacity × hidden per slot, chunk by chunk (<see cref="ActivationChunk"/>).</summary>
        public IDeviceBuffer[] ActivationSlots { get; }

        /// <summary>Per KV-resident layer, per micro-batch.</summary>
        public KvBuffer[][] ResidentKv { get; }
    }
}
