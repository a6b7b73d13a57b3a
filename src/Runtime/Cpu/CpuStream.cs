using Kvpr.Backend;

namespace Kvpr.Cpu
{
    /// <summary>
    /// The CPU backend runs each op when it is queued, so a stream is always idle: events are complete as
    /// soon as they are recorded and waits return at once. The order of queuing is the order of execution.
    /// </summary>
    internal sealed class CpuStream : IStream
    {
        public void Record(IEvent completed)
        {
        }

        public void Wait(IEvent completed)
        {
        }

        public void Synchronize()
        {
        }
    }
}
