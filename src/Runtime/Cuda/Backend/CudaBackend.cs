using Kvpr.Backend;
using Kvpr.Execution;
using Kvpr.Kernels;

namespace Kvpr.Runtime.Cuda.Backend
{
    /// <summary>Opens the CUDA backend for an engine: the device, then the model uploaded and the given kernels compiled.</summary>
    internal static class CudaBackend
    {
        /// <exception cref="CudaUnavailableException">No driver, no GPU, or no GPU with this ordinal.</exception>
        /// <returns>The device, the model, and the SHA-256 of the kernel source it launches.</returns>
        public static (IDevice Device, IDeviceModel Model, string? KernelSourceHash) Open(ModelWeights weights, int ordinal, KernelSet kernels)
        {
            var device = new CudaComputeDevice(CudaDevice.Open(ordinal), CudaElementTypes.For(weights.Spec.WeightType));
            try
            {
                var model = new CudaModel(device, weights, kernels);
                return (device, model, model.Kernels.SourceHash);
            }
            catch
            {
                device.Dispose();
                throw;
            }
        }
    }
}
