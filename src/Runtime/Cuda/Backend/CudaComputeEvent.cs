using Kvpr.Backend;

namespace Kvpr.Runtime.Cuda.Backend
{
    /// <summary>A graph edge between streams: recorded after the producer, waited on before the consumer.</summary>
    internal sealed class CudaComputeEvent : IEvent
    {
        public CudaComputeEvent(CudaEvent cudaEvent) => Event = cudaEvent;

        public CudaEvent Event { get; }

        public static CudaComputeEvent Of(IEvent completed) => completed as CudaComputeEvent
            ?? throw new System.ArgumentException($"The CUDA backend cannot wait for a {completed.GetType().Name}; create events on the CUDA device.");
    }
}
