using Kvpr.Backend;

namespace Kvpr.Execution
{
    /// <summary>
    /// The copies of a step between the host store and the device, the same on every device. A step appends
    /// <c>count</c> new tokens per sequence after the <c>first</c> = s' already in the host store; of the stored
    /// tokens the first l get K and V recomputed from their activations (copied in here) and the rest [l, s')
    /// are copied in; the new tokens' X, K and V are copied back.
    /// </summary>
    internal sealed class KvTransfers
    {
        private readonly IDevice _device;
        private readonly ModelSpec _spec;

        public KvTransfers(IDevice device, ModelSpec spec)
        {
            _device = device;
            _spec = spec;
        }

        /// <summary>Copies the stored activations X of tokens [start, end) of every sequence into an activation slot, laid out as <see cref="ActivationChunk"/> says.</summary>
        public void LoadActivations(IStream stream, MicroBatch batch, int layer, IDeviceBuffer slot, int start, int end)
        {
            var store = batch.Store;
            var chunk = ActivationChunk.For(batch.Sequences, start, end, _spec.Hidden);
            long elements = (long)chunk.Tokens * _spec.Hidden;
            var blocks = new BlockCopy(store.ActivationOffset(0, start), store.ActivationOffset(1, 0), chunk.Offset, elements, elements, batch.Sequences);
            _device.CopyToDevice(stream, store.Activations(layer), slot, blocks);
            batch.HostToDeviceElements += blocks.TotalElements;
        }

        /// <summary>Copies the stored K and V of tokens [start, end) of every sequence into <paramref name="kv"/>.</summary>
        public void LoadKv(IStream stream, MicroBatch batch, int layer, KvBuffer kv, int start, int end)
        {
            var store = batch.Store;
            var blocks = SameLayout(batch, store.KvOffset(0, start), store.KvOffset(1, 0), (long)(end - start) * _spec.KvDim);
            _device.CopyToDevice(stream, store.Keys(layer), kv.Keys, blocks);
            _device.CopyToDevice(stream, store.Values(layer), kv.Values, blocks);
            batch.HostToDeviceElements += 2 * blocks.TotalElements;
        }

        /// <summary>Appends the new tokens' X, K and V (unless the store keeps no K and V) from <paramref name="kv"/> to the host store.</summary>
        public void StoreNewTokens(IStream stream, MicroBatch batch, int layer, KvBuffer kv, int first, int count)
        {
            var store = batch.Store;
            // The new tokens' X lie dense, [batch][count][hidden]; the store's rows are capacity apart.
            long activationElements = (long)count * _spec.Hidden;
            var activations = new BlockCopy(0, activationElements, store.ActivationOffset(0, first), store.ActivationOffset(1, 0), activationElements, batch.Sequences);
            _device.CopyToHost(stream, kv.NewActivations, store.Activations(layer), activations);
            batch.DeviceToHostElements += activations.TotalElements;
            if (!store.KeepsKv)
                return;
            var keysAndValues = SameLayout(batch, store.KvOffset(0, first), store.KvOffset(1, 0), (long)count * _spec.KvDim);
            _device.CopyToHost(stream, kv.Keys, store.Keys(layer), keysAndValues);
            _device.CopyToHost(stream, kv.Values, store.Values(layer), keysAndValues);
            batch.DeviceToHostElements += 2 * keysAndValues.TotalElements;
        }

        /// <summary>The same token range of every sequence in host and device buffers laid out alike, [batch][capacity][width].</summary>
        private static BlockCopy SameLayout(MicroBatch batch, long offset, long sequenceStride, long elements) =>
            new(offset, sequenceStride, offset, sequenceStride, elements, batch.Sequences);
    }
}
