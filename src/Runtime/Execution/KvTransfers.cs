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

        /// <summary>Copies the stored activations X of tokens [start, end) of every sequence into an activation slot.</summary>
        public void LoadActivations(IStream stream, MicroBatch batch, int layer, IDeviceBuffer slot, int start, int end)
        {
            var store = batch.Store;
            long elements = (long)(end - start) * _spec.Hidden;
            for (int s = 0; s < batch.Sequences; s++)
                _device.CopyToDevice(stream, store.Activations(layer), store.ActivationOffset(s, start), slot, store.ActivationOffset(s, start), elements);
            batch.HostToDeviceElements += batch.Sequences * elements;
        }

        /// <summary>Copies the stored K and V of tokens [start, end) of every sequence into <paramref name="kv"/>.</summary>
        public void LoadKv(IStream stream, MicroBatch batch, int layer, KvBuffer kv, int start, int end)
        {
            var store = batch.Store;
            long elements = (long)(end - start) * _spec.KvDim;
            for (int s = 0; s < batch.Sequences; s++)
            {
                long offset = store.KvOffset(s, start);
                _device.CopyToDevice(stream, store.Keys(layer), offset, kv.Keys, offset, elements);
                _device.CopyToDevice(stream, store.Values(layer), offset, kv.Values, offset, elements);
            }
            batch.HostToDeviceElements += 2 * batch.Sequences * elements;
        }

        /// <summary>Appends the new tokens' X, K and V from <paramref name="kv"/> to the host store.</summary>
        public void StoreNewTokens(IStream stream, MicroBatch batch, int layer, KvBuffer kv, int first, int count)
        {
            var store = batch.Store;
            var normed = batch.Rows(kv.NewActivations, count, _spec.Hidden);
            long activationElements = (long)count * _spec.Hidden, kvElements = (long)count * _spec.KvDim;
            for (int s = 0; s < batch.Sequences; s++)
            {
                _device.CopyToHost(stream, kv.NewActivations, normed.RowOffset(s, 0), store.Activations(layer), store.ActivationOffset(s, first), activationElements);
                long offset = store.KvOffset(s, first);
                _device.CopyToHost(stream, kv.Keys, offset, store.Keys(layer), offset, kvElements);
                _device.CopyToHost(stream, kv.Values, offset, store.Values(layer), offset, kvElements);
            }
            batch.DeviceToHostElements += batch.Sequences * (activationElements + 2 * kvElements);
        }
    }
}
