using Kvpr.Host;
using Kvpr.Store;

namespace Kvpr.Runtime.Cuda.Backend
{
    /// <summary>
    /// The CPU lane of one micro-batch on a GPU machine: its decode step's queries copied into pinned host memory, CPU
    /// attention over the host store's tokens run as host work on the lane's stream (the stream's later work waits for
    /// it), and the resulting partial softmax in pinned memory, where the layer's attention combine reads it in place
    /// (a copy up would queue behind the link's loads, on the step's critical path).
    /// </summary>
    internal sealed unsafe class CudaHostAttentionLane
    {
        private readonly ModelSpec _spec;
        private readonly HostElementType _element;
        private readonly int _sequences;
        // Pinned: queries [sequence][hidden] and the partial softmax (acc [sequence][head][headDim], max and sum [sequence][head]), in fp32.
        private readonly PinnedBuffer _queries, _acc, _max, _sum;

        public CudaHostAttentionLane(CudaComputeDevice device, ModelSpec spec, int sequences)
        {
            _spec = spec;
            _element = device.ElementType.HostElement();
            _sequences = sequences;
            int rows = sequences * spec.Heads;
            _queries = device.AllocatePinned((long)sequences * spec.Hidden * sizeof(float));
            _acc = device.AllocatePinned((long)rows * spec.HeadDim * sizeof(float));
            _max = device.AllocatePinned((long)rows * sizeof(float));
            _sum = device.AllocatePinned((long)rows * sizeof(float));
        }

        /// <summary>
        /// Queues on <paramref name="stream"/>: the queries (pre-scaled, from the QKV epilogue at <paramref name="queries"/>)
        /// down, then CPU attention over tokens [start, end) of the layer, reading the pinned store in place.
        /// </summary>
        public void Attend(CudaStream stream, ulong queries, HostKvStore store, int layer, int start, int end)
        {
            stream.CopyAsync(_queries.Address, queries, (long)_sequences * _spec.Hidden * sizeof(float));
            var keys = PinnedTensor.Of(store.Keys(layer));
            var values = PinnedTensor.Of(store.Values(layer));
            var args = HostAttentionArgs.For(_spec, _sequences, store.Capacity, start, end, (float*)_queries.Pointer, (void*)keys.Memory.Pointer,
                (void*)values.Memory.Pointer, _element, (float*)_acc.Pointer, (float*)_max.Pointer, (float*)_sum.Pointer);
            stream.LaunchHostWork(() => HostAttention.Run(args));
        }

        /// <summary>The CPU's partial softmax (acc [sequence][head][headDim], max and sum [sequence][head], fp32): unified addresses of pinned memory.</summary>
        public (ulong Acc, ulong Max, ulong Sum) Partial => (_acc.Address, _max.Address, _sum.Address);
    }
}
