using System.Collections.Generic;

namespace Kvpr.Kernels.Emission
{
    /// <summary>
    /// Next-token choice from float logits: greedy argmax, and temperature / top-k / top-p sampling driven by a
    /// caller-supplied uniform number per sequence (so a seeded host generator makes runs reproducible). Thresholds
    /// are found exactly by bisection over the floats' order-preserving bit patterns, without sorting the vocabulary.
    /// </summary>
    internal static class SamplingKernels
    {
        public static void Emit(CudaSourceBuilder source)
        {
            source.Section("Next-token choice");
            source.Code(Helpers);
            var launch = LaunchShape.PerRow(LaunchConstants.SamplingThreads);
            var logits = new KernelParameter("const float*", "logits", "[rows][VOCAB] logits (the lm_head GEMM with a float output)");
            var tokens = new KernelParameter("int*", "tokens", "[rows] out: the chosen token of each row");

            source.Kernel(
                new KernelSignature(KernelNames.Argmax, "Greedy choice: tokens[r] = the first index of the largest logit of row r; -1 where the row holds a NaN or +infinity.", new[] { logits, tokens }, launch),
                "SAMPLING_THREADS",
                """
const int r = blockIdx.x;
const float* row = logits + (long long)r * VOCAB;
const ArgMax best = block_argmax(row);
// A NaN or +infinity leaves no token to pick (the comparison is false for both): -1 lets the host name the sequence.
__shared__ int unpickable;
if (threadIdx.x == 0)
    unpickable = 0;
__syncthreads();
for (int i = threadIdx.x; i < VOCAB; i += blockDim.x)
    if (!(row[i] <= 3.402823466e38f))
        unpickable = 1;
__syncthreads();
if (threadIdx.x == 0)
    tokens[r] = unpickable ? -1 : best.index;
""");

            var parameters = new List<KernelParameter>
            {
                logits,
                new("const float*", "uniforms", "[rows] a uniform random number in [0, 1) per row"),
                tokens,
                new("float", "temperature", "softmax temperature; <= 0 chooses greedily"),
                new("int", "top_k", "keep the top_k largest logits (ties at the k-th kept); <= 0 or >= VOCAB keeps all"),
                new("float", "top_p", "then keep the smallest set of largest logits holding probability >= top_p; >= 1 keeps all"),
            };
            const string description = "Sampling as Hugging Face orders it: logits / temperature, then top-k, then top-p over the softmax of what top-k kept, then the token whose interval of the kept probabilities (in vocabulary order) holds uniforms[r].";
            source.Kernel(new KernelSignature(KernelNames.Sample, description, parameters, launch), "SAMPLING_THREADS", """
const int r = blockIdx.x;
const float* row = logits + (long long)r * VOCAB;
const ArgMax best = block_argmax(row);
if (!(temperature > 0.0f))
{
    if (threadIdx.x == 0)
        tokens[r] = best.index;
    return;
}
const float inv_temperature = 1.0f / temperature;
const unsigned max_key = order_key(best.value);

// Top-k: the largest key that at least top_k logits reach.
unsigned threshold = 0;
if (top_k > 0 && top_k < VOCAB)
    threshold = largest_key(0, max_key, (float)top_k, [&](unsigned key) { return count_at_least(row, key); });

// Top-p: the largest key whose logits at or above it hold top_p of the probability top-k kept.
float kept = mass_at_least(row, threshold, best.value, inv_temperature);
if (top_p < 1.0f)
{
    threshold = largest_key(threshold, max_key, top_p * kept, [&](unsigned key) { return mass_at_least(row, key, best.value, inv_temperature); });
    kept = mass_at_least(row, threshold, best.value, inv_temperature);
}

// Inverse CDF in vocabulary order: each thread owns a contiguous chunk of the vocabulary.
constexpr int CHUNK = (VOCAB + SAMPLING_THREADS - 1) / SAMPLING_THREADS;
const int begin = min(VOCAB, (int)threadIdx.x * CHUNK), end = min(VOCAB, begin + CHUNK);
float chunk_mass = 0.0f;
for (int i = begin; i < end; ++i)
    if (order_key(row[i]) >= threshold)
        chunk_mass += expf((row[i] - best.value) * inv_temperature);
const float before = block_exclusive_scan(chunk_mass);
const float target = uniforms[r] * kept;
__shared__ int chosen;
if (threadIdx.x == 0)
    chosen = VOCAB;
__syncthreads();
if (chunk_mass > 0.0f && target >= before && target < before + chunk_mass)
{
    float running = before;
    int last_kept = begin;
    for (int i = begin; i < end; ++i)
    {
        if (order_key(row[i]) < threshold)
            continue;
        last_kept = i;
        running += expf((row[i] - best.value) * inv_temperature);
        if (target < running)
            break;
    }
    atomicMin(&chosen, last_kept);
}
__syncthreads();
if (threadIdx.x == 0)
    tokens[r] = chosen < VOCAB ? chosen : best.index;  // rounding can leave target past the last interval
""");
        }

        private const string Helpers = """
// A logit and its index; the larger value wins, the smaller index among equals (as torch.argmax).
struct ArgMax
{
    float value;
    int index;
};

__device__ __forceinline__ ArgMax better(ArgMax a, ArgMax b)
{
    return b.value > a.value || (b.value == a.value && b.index < a.index) ? b : a;
}

__device__ __forceinline__ ArgMax warp_argmax(ArgMax best)
{
    for (int offset = 16; offset > 0; offset /= 2)
        best = better(best, ArgMax{__shfl_xor_sync(FULL_WARP, best.value, offset), __shfl_xor_sync(FULL_WARP, best.index, offset)});
    return best;
}

// The largest logit of a row and its first index, returned to every thread of the block.
__device__ ArgMax block_argmax(const float* row)
{
    __shared__ ArgMax warp_best[32];
    const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
    ArgMax best{negative_infinity(), 0};
    for (int i = threadIdx.x; i < VOCAB; i += blockDim.x)
        best = better(best, ArgMax{row[i], i});
    best = warp_argmax(best);
    if (lane == 0)
        warp_best[warp] = best;
    __syncthreads();
    best = lane < (int)(blockDim.x / 32) ? warp_best[lane] : ArgMax{negative_infinity(), 0};
    return warp_argmax(best);
}

// Exclusive prefix sum of v over the block's threads in thread order (called once per launch).
__device__ float block_exclusive_scan(float v)
{
    __shared__ float warp_totals[32];
    const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
    float inclusive = v;
    for (int offset = 1; offset < 32; offset *= 2)
    {
        const float lower = __shfl_up_sync(FULL_WARP, inclusive, offset);
        if (lane >= offset)
            inclusive += lower;
    }
    if (lane == 31)
        warp_totals[warp] = inclusive;
    __syncthreads();
    float earlier_warps = 0.0f;
    for (int w = 0; w < warp; ++w)
        earlier_warps += warp_totals[w];
    return earlier_warps + inclusive - v;
}

// Order-preserving map of floats to unsigned keys: a < b exactly when order_key(a) < order_key(b).
__device__ __forceinline__ unsigned order_key(float x)
{
    const unsigned bits = __float_as_uint(x);
    return (bits & 0x80000000u) ? ~bits : bits | 0x80000000u;
}

// How many logits of the row have a key of at least `key` (exact in float up to 2^24).
__device__ float count_at_least(const float* row, unsigned key)
{
    float count = 0.0f;
    for (int i = threadIdx.x; i < VOCAB; i += blockDim.x)
        count += order_key(row[i]) >= key ? 1.0f : 0.0f;
    return block_sum(count);
}

// Unnormalised probability exp((logit - max_logit) / temperature) of the logits with a key of at least `key`.
__device__ float mass_at_least(const float* row, unsigned key, float max_logit, float inv_temperature)
{
    float mass = 0.0f;
    for (int i = threadIdx.x; i < VOCAB; i += blockDim.x)
        if (order_key(row[i]) >= key)
            mass += expf((row[i] - max_logit) * inv_temperature);
    return block_sum(mass);
}

// Bisection over keys: the largest key in [low, high] at which the non-increasing at_least(key) still reaches
// `need` (at_least(low) must). Every thread computes the same keys, so block-wide sums inside stay in step.
template <typename AtLeast>
__device__ unsigned largest_key(unsigned low, unsigned high, float need, AtLeast at_least)
{
    while (low < high)
    {
        const unsigned mid = low + (high - low) / 2 + 1;
        if (at_least(mid) >= need)
            low = mid;
        else
            high = mid - 1;
    }
    return low;
}
""";
    }
}
