using System;

namespace Kvpr.Runtime.Cuda
{
    /// <summary>The CUDA device cannot be used on this machine (no driver, no GPU, or no toolkit library); the message is one sentence saying why.</summary>
    public sealed class CudaUnavailableException : Exception
    {
        public CudaUnavailableException(string message, Exception? inner = null) : base(message, inner) { }
    }
}
