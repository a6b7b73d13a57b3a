using System;
using Kvpr.Runtime.Cuda.Native;

namespace Kvpr.Runtime.Cuda
{
    /// <summary>Loaded device code; its kernels are looked up by their (extern "C") names.</summary>
    public sealed class CudaModule : IDisposable
    {
        internal CudaModule(CudaModuleHandle handle) => Handle = handle;

        public CudaModuleHandle Handle { get; }

        /// <exception cref="CudaException">No kernel of that name is in the module (CUDA_ERROR_NOT_FOUND).</exception>
        public CudaKernel GetKernel(string name)
        {
            int result = CuDriver.cuModuleGetFunction(out var function, Handle.DangerousGetHandle(), name);
            CuDriver.Check(result, $"{nameof(CuDriver.cuModuleGetFunction)}(\"{name}\")");
            return new CudaKernel(this, function, name);
        }

        public void Dispose() => Handle.Dispose();
    }
}
