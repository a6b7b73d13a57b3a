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
        public MicroBatch(HostKvStore store, IDeviceBuffer hidden, IDeviceBuffer logits)
        {
            Store = store;
            Hidden = hidden;
            Logits = logits;
        }

        public HostKvStore Store { get; }
        public IDeviceBuffer Hidden { get; }
        public IDeviceBuffer Logits { get; }
        public int Sequences => Store.Batch;

        public long HostToDeviceElements { get; set; }
        public long DeviceToHostElements { get; set; }

        /// <summary>Rows [sequences][tokens][width] of a buffer holding this micro-batch's new tokens.</summary>
        public DeviceMatrix Rows(IDeviceBuffer buffer, int tokens, int width) => DeviceMatrix.Dense(buffer, Sequences, tokens, width);
    }
}
