using Kvpr.Backend;

namespace Kvpr.Execution
{
    /// <summary>
    /// Device K and V of one layer for one micro-batch, [batch][capacity][kvDim] each (token-major like the
    /// host store, so stored ranges copy one-to-one), plus the new tokens' activations X [batch][new][hidden]
    /// waiting to be written back with their K and V.
    /// </summary>
    internal sealed class KvBuffer
    {
        public KvBuffer(int capacity, IDeviceBuffer keys, IDeviceBuffer values, IDeviceBuffer newActivations)
        {
            Capacity = capacity;
            Keys = keys;
            Values = values;
            NewActivations = newActivations;
        }

        public int Capacity { get; }
        public IDeviceBuffer Keys { get; }
        public IDeviceBuffer Values { get; }
        public IDeviceBuffer NewActivations { get; }

        /// <summary>Tokens [first, first + count) of the first <paramref name="sequences"/> sequences of K or V.</summary>
        public DeviceMatrix Tokens(IDeviceBuffer keysOrValues, int sequences, int first, int count, int kvDim) =>
            new(keysOrValues, (long)first * kvDim, sequences, count, Capacity, kvDim);
    }
}
