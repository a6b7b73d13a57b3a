namespace Kvpr.Runtime.Cuda
{
    /// <summary>The native CUDA libraries the toolkit binds to.</summary>
    public enum CudaLibrary
    {
        /// <summary>The CUDA driver API (libcuda.so.1), installed with the GPU driver.</summary>
        Driver,
        /// <summary>The run-time CUDA C compiler (libnvrtc), part of the CUDA toolkit.</summary>
        Nvrtc,
        /// <summary>NVIDIA's BLAS (libcublas), part of the CUDA toolkit.</summary>
        Cublas,
        /// <summary>
        /// NVIDIA's collective communication library (libnccl.so.2), for several GPUs: not part of the toolkit, it comes
        /// as its own package or as the nvidia-nccl Python package that PyTorch installs.
        /// </summary>
        Nccl,
    }
}
