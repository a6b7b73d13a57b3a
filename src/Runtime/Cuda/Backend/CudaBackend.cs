using Kvpr.Backend;
using Kvpr.Execution;

namespace Kvpr.Runtime.Cuda.Backend
{
    /// <summary>Opens the CUDA backend for an engine: the device, then the model uploaded and its kernels compiled.</summary>
    internal static class CudaBackend
    {
        /// <exception cref="CudaUnavailableException">No driver, no GPU, or no GPU with this ordinal.</exception>
        public static (IDevice Device, IDeviceModel Model) Open(ModelWeights weights, int ordinal)
        {
            var device = new CudaComputeDevice(CudaDevice.Open(ordinal), CudaElementTypes.For(weights.Spec.WeightType));
            try
            {
                return (device, new CudaModel(device, weights));
            }
            catch
            {
                device.Dispose();
                throw;
            }
        }
    }
}
