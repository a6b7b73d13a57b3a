using Kvpr.Kernels;

namespace Kvpr.Runtime.Cuda
{
    /// <summary>
    /// The small CUDA C kernels the toolkit itself needs to check and measure a device: random fp16 fill
    /// (timing on zeros flatters GEMMs), an fp16 read/scale kernel for the NVRTC check, and an empty kernel
    /// for the launch overhead.
    /// </summary>
    public static class ToolkitKernels
    {
        public const string ProgramName = "kvpr_toolkit_kernels";
        public const string FillRandomHalf = "kvpr_fill_random_half";
        public const string ScaleHalfToFloat = "kvpr_scale_half_to_float";
        public const string Empty = "kvpr_empty";
        public const int BlockSize = 256;

        /// <summary>One block of <see cref="BlockSize"/> threads.</summary>
        public static Dim3 Block => new(BlockSize, 1, 1);

        public const string Source = """
            #include <cuda_fp16.h>

            // Uniform values in [-1, 1) from a hash of the index: reproducible for a seed, no state.
            extern "C" __global__ void kvpr_fill_random_half(__half* out, unsigned long long count, unsigned int seed)
            {
                for (unsigned long long i = blockIdx.x * (unsigned long long)blockDim.x + threadIdx.x; i < count;
                     i += (unsigned long long)gridDim.x * blockDim.x)
                {
                    unsigned long long z = i * 0x9E3779B97F4A7C15ull + seed;
                    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
                    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
                    z ^= z >> 31;
                    out[i] = __float2half((float)(z >> 40) * (2.0f / 16777216.0f) - 1.0f);
                }
            }

            // y[i] = a * x[i] + b, reading fp16 and writing fp32.
            extern "C" __global__ void kvpr_scale_half_to_float(const __half* x, float a, float b, float* y, int count)
            {
                int i = blockIdx.x * blockDim.x + threadIdx.x;
                if (i < count)
                    y[i] = a * __half2float(x[i]) + b;
            }

            extern "C" __global__ void kvpr_empty() {}
            """;

        /// <summary>Blocks for a grid-stride kernel over <paramref name="count"/> elements, capped so huge buffers still launch.</summary>
        public static Dim3 GridFor(long count) => new((int)System.Math.Min((count + BlockSize - 1) / BlockSize, 65535 * 16), 1, 1);
    }
}
