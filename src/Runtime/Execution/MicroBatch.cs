using Kvpr.Backend;
using Kvpr.Store;

namespace Kvpr.Execution
{
    /// <summary>
    /// One group of sequences decoded together: its host store, its hidden state and logits on the device,
    /// and the elements it has moved between host and device since the counters were last reset.
    /// </summary>
    internal sealed class MicroBatch
    {
        public MicroBatch(HostKvStore store, IDeviceBuffer hidden, IDeviceBuffer logits, IDeviceBuffer tokenIds)
        {
            Store = store;
            Hidden = hidden;
            Logits = logits;
            TokenIds = tokenIds;
        }

        public HostKvStore Store { get; }
        public IDeviceBuffer Hidden { get; }
        public IDeviceBuffer Logits { get; }

        /// <summary>The step's input token ids on the device (4-byte elements holding int32), for backends that embed there.</summary>
        public IDeviceBuffer TokenIds { get; }
        public int Sequences => Store.Batch;

        public long HostToDeviceElements { get; set; }
        public long DeviceToHostElements { get; set; }

        /// <summary>Rows [sequences][tokens][width] of a buffer holding this micro-batch's new tokens.</summary>
        public DeviceMatrix Rows(IDeviceBuffer buffer, int tokens, int width) => DeviceMatrix.Dense(buffer, Sequences, tokens, width);
    }
}
