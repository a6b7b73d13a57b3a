using System;
using Kvpr.Backend;

namespace Kvpr.Runtime.Cuda.Backend
{
    /// <summary>
    /// A graph stream as a CUDA stream, with its own cuBLAS handle (created on the first GEMM and bound to the
    /// stream once), so GEMMs on different streams neither serialise nor share a workspace.
    /// </summary>
    internal sealed class CudaComputeStream : IStream, IDisposable
    {
        private readonly CudaDevice _device;
        private CublasGemm? _gemm;

        public CudaComputeStream(CudaDevice device, CudaStream stream)
        {
            _device = device;
            Stream = stream;
        }

        public CudaStream Stream { get; }

        public CublasGemm Gemm
        {
            get
            {
                if (_gemm is null)
                {
                    _gemm = new CublasGemm(_device);
                    _gemm.SetStream(Stream);
                }
                return _gemm;
            }
        }

        public void Record(IEvent completed) => Stream.Record(CudaComputeEvent.Of(completed).Event);

        public void Wait(IEvent completed) => Stream.Wait(CudaComputeEvent.Of(completed).Event);

        public void Synchronize() => Stream.Synchronize();

        public static CudaComputeStream Of(IStream stream) => stream as CudaComputeStream
            ?? throw new ArgumentException($"The CUDA backend cannot queue work on a {stream.GetType().Name}; create streams on the CUDA device.");

        public void Dispose()
        {
            _gemm?.Dispose();
            Stream.Dispose();
        }
    }
}
