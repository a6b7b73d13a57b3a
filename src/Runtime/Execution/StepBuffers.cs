using System.Linq;
using Kvpr.Backend;

namespace Kvpr.Execution
{
    /// <summary>
    /// The device buffers the steps of a generation use, one per <c>Kvpr.Graphs.BufferKind</c>: per micro-batch
    /// a hidden state and logits; two K/V slots and two activation slots shared by the offloaded layers (a
    /// layer loads into one while its predecessor computes from the other); K and V of every micro-batch for
    /// each KV-resident layer; and scratch for the compute stream, which runs one node at a time.
    /// Sized for up to <c>maxNewTokens</c> new tokens per sequence: the prompt in prefill, one when decoding.
    /// </summary>
    internal sealed class StepBuffers
    {
        public const int Slots = 2;

        public StepBuffers(IDevice device, ModelSpec spec, int[] microBatchSizes, int capacity, int maxNewTokens, int logitRowsPerSequence, int kvResidentLayers)
        {
            int batch = microBatchSizes.Max();
            long rows = (long)batch * maxNewTokens;
            Normed = device.Allocate(rows * spec.Hidden);
            Query = device.Allocate(rows * spec.Hidden);
            Context = device.Allocate(rows * spec.Hidden);
            Projected = device.Allocate(rows * spec.Hidden);
            Up = device.Allocate(rows * spec.FfnHidden);
            Gate = spec.GatedMlp ? device.Allocate(rows * spec.FfnHidden) : null;
            Hidden = microBatchSizes.Select(size => device.Allocate((long)size * maxNewTokens * spec.Hidden)).ToArray();
            Logits = microBatchSizes.Select(size => device.Allocate((long)size * logitRowsPerSequence * spec.Vocab)).ToArray();
            KvSlots = Enumerable.Range(0, Slots).Select(_ => new KvBuffer(device, spec, batch, capacity, maxNewTokens)).ToArray();
            ActivationSlots = Enumerable.Range(0, Slots).Select(_ => device.Allocate((long)batch * capacity * spec.Hidden)).ToArray();
            ResidentKv = Enumerable.Range(0, kvResidentLayers)
                .Select(_ => microBatchSizes.Select(size => new KvBuffer(device, spec, size, capacity, maxNewTokens)).ToArray())
                .ToArray();
        }

        public IDeviceBuffer Normed { get; }
        public IDeviceBuffer Query { get; }
        public IDeviceBuffer Context { get; }
        public IDeviceBuffer Projected { get; }
        public IDeviceBuffer Up { get; }
        public IDeviceBuffer? Gate { get; }

        /// <summary>Per micro-batch: residual stream [batch][new tokens][hidden].</summary>
        public IDeviceBuffer[] Hidden { get; }

        /// <summary>Per micro-batch: [batch][logit rows][vocab].</summary>
        public IDeviceBuffer[] Logits { get; }

        public KvBuffer[] KvSlots { get; }

        /// <summary>Stored activations X of the recomputed prefix, [batch][capacity][hidden] per slot.</summary>
        public IDeviceBuffer[] ActivationSlots { get; }

        /// <summary>Per KV-resident layer, per micro-batch.</summary>
        public KvBuffer[][] ResidentKv { get; }
    }
}
