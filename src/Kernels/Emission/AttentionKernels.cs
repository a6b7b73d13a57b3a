using System.Collections.Generic;

namespace Kvpr.Kernels.Emission
{
    /// <summary>
    /// Attention over the KV cache: flash-decoding for a decode step (<see cref="DecodeAttentionKernels"/>) and
    /// causal attention for prefill: on the tensor cores where <see cref="AttentionTiling.PrefillUsesMma"/>
    /// (<see cref="MmaPrefillAttentionKernel"/>), else here on CUDA cores in float. A prefill_attention block serves
    /// HEADS_PER_BLOCK query heads of one KV head and PREFILL_QUERIES query tokens, so they share each K and V load,
    /// and scores the keys a tile at a time in shared memory.
    /// </summary>
    internal static class AttentionKernels
    {
        public static void Emit(ModelSpec spec, AttentionTiling tiling, CudaSourceBuilder source)
        {
            source.Section("Attention");
            source.Code($$"""
// K and V rows are read in chunks of 8 elements (16 bytes): KEY_CHUNKS per head. LANES_PER_KEY lanes (KEY_CHUNKS
// rounded up to a power of two) take one token, so a warp takes KEYS_PER_WARP tokens at once.
constexpr int KEY_CHUNKS = HEAD_DIM / 8;
constexpr int LANES_PER_KEY = {{CudaLiteral.Int(LanesPerKey(spec.HeadDim / 8))}};
constexpr int KEYS_PER_WARP = 32 / LANES_PER_KEY;
static_assert(HEAD_DIM % 8 == 0 && KEY_CHUNKS <= LANES_PER_KEY && LANES_PER_KEY <= 32, "a key's chunks fit its lanes");

// Offset of sequence b's token 0 at the columns of KV head kv_head in a [batch][capacity][KV_DIM] cache.
__device__ __forceinline__ long long kv_head_offset(int b, int kv_head, int cache_capacity)
{
    return (long long)b * cache_capacity * KV_DIM + kv_head * HEAD_DIM;
}

{{FirstVisible(spec)}}
""");
            DecodeAttentionKernels.Emit(spec, tiling, source);
            if (tiling.PrefillUsesMma)
                MmaPrefillAttentionKernel.Emit(spec, source);
            else
            {
                source.Code(StateAndLoop);
                EmitPrefill(tiling, source);
            }
        }

        /// <summary>The first token a query attends to: its sliding window's start, or token 0 where the model has no window.</summary>
        private static string FirstVisible(ModelSpec spec) => spec.SlidingWindow > 0
            ? """
// A query at `position` attends to tokens [first_visible(position), position]: its last SLIDING_WINDOW positions
// (Hugging Face's sliding window mask keeps key j where j > position - SLIDING_WINDOW).
__device__ __forceinline__ int first_visible(int position) { return max(0, position - SLIDING_WINDOW + 1); }
"""
            : """
// A query at `position` attends to tokens [first_visible(position), position]: the whole context.
__device__ __forceinline__ int first_visible(int /* position */) { return 0; }
""";

        private static int LanesPerKey(int chunks)
        {
            int lanes = 1;
            while (lanes < chunks)
                lanes *= 2;
            return lanes;
        }

        private const string StateAndLoop = """
// Softmax state of an attention block's ROWS query rows over the tokens folded in so far, in float: running max
// of the scores, running sum of exp(score - max) and accumulator sum of exp(score - max) * v. Row i may attend
// to tokens [start[i], end[i]) (its window and causal limit in prefill). The tile's p * v products are summed in
// SLICES token slices (so every thread has work) into partial, then folded into acc.
template <int ROWS>
struct AttentionState
{
    static constexpr int SLICES = ROWS * KEY_CHUNKS >= ATTENTION_THREADS ? 1 : ATTENTION_THREADS / (ROWS * KEY_CHUNKS);
    float q[ROWS][HEAD_DIM];
    float scores[ROWS][ATTENTION_TILE];
    float acc[ROWS][HEAD_DIM];
    float partial[SLICES][ROWS][HEAD_DIM];
    float max[ROWS];
    float sum[ROWS];
    float rescale[ROWS];
    int start[ROWS];
    int end[ROWS];
};

// Clears the running softmax; the caller has filled q, start and end, which the barrier publishes too.
template <int ROWS>
__device__ void begin_attention(AttentionState<ROWS>& s)
{
    for (int i = threadIdx.x; i < ROWS * HEAD_DIM; i += blockDim.x)
        s.acc[i / HEAD_DIM][i % HEAD_DIM] = 0.0f;
    for (int row = threadIdx.x; row < ROWS; row += blockDim.x)
    {
        s.max[row] = negative_infinity();
        s.sum[row] = 0.0f;
    }
    __syncthreads();
}

// Folds tokens [begin, end) of one sequence into the state, a tile of ATTENTION_TILE tokens at a time (online
// softmax); tokens outside a row's [start[row], end[row]) score -inf for it. Every row's start must lie in the
// first tile, so that tile gives each row a finite max. k and v point at token 0 of the sequence, at the block's KV
// head's columns; rows are KV_DIM apart.
template <int ROWS>
__device__ void attend(AttentionState<ROWS>& s, const elem_t* k, const elem_t* v, int begin, int end)
{
    constexpr int SLICES = AttentionState<ROWS>::SLICES;
    const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
    const int key_lane = lane % LANES_PER_KEY, key_of_warp = lane / LANES_PER_KEY;
    for (int tile = begin; tile < end; tile += ATTENTION_TILE)
    {
        const int count = min(ATTENTION_TILE, end - tile);

        // Scores q.k: each lane takes a 16-byte chunk of a key; the key's lanes then sum their parts.
        for (int first = warp * KEYS_PER_WARP; first < count; first += ATTENTION_WARPS * KEYS_PER_WARP)
        {
            const int t = first + key_of_warp;
            float dot[ROWS];
            for (int row = 0; row < ROWS; ++row)
                dot[row] = 0.0f;
            if (t < count && key_lane < KEY_CHUNKS)
            {
                float key[8];
                load_eight(k + (long long)(tile + t) * KV_DIM + key_lane * 8, key);
                for (int row = 0; row < ROWS; ++row)
                    for (int e = 0; e < 8; ++e)
                        dot[row] += s.q[row][key_lane * 8 + e] * key[e];
            }
            for (int row = 0; row < ROWS; ++row)
            {
                for (int offset = LANES_PER_KEY / 2; offset > 0; offset /= 2)
                    dot[row] += __shfl_xor_sync(FULL_WARP, dot[row], offset);
                if (key_lane == 0 && t < count)
                    s.scores[row][t] = tile + t >= s.start[row] && tile + t < s.end[row] ? dot[row] : negative_infinity();
            }
        }
        __syncthreads();

        // Softmax update: a warp per row. Scores become exp(score - new max); the old sum and accumulator
        // are rescaled by exp(old max - new max), which is 0 on the first tile.
        for (int row = warp; row < ROWS; row += ATTENTION_WARPS)
        {
            float tile_max = negative_infinity();
            for (int t = lane; t < count; t += 32)
                tile_max = fmaxf(tile_max, s.scores[row][t]);
            const float new_max = fmaxf(s.max[row], warp_max(tile_max));
            float tile_sum = 0.0f;
            for (int t = lane; t < count; t += 32)
            {
                const float p = expf(s.scores[row][t] - new_max);
                s.scores[row][t] = p;
                tile_sum += p;
            }
            tile_sum = warp_sum(tile_sum);
            if (lane == 0)
            {
                const float rescale = expf(s.max[row] - new_max);
                s.rescale[row] = rescale;
                s.sum[row] = s.sum[row] * rescale + tile_sum;
                s.max[row] = new_max;
            }
        }
        __syncthreads();

        // p * v: a thread per (token slice, row, 16-byte chunk of V); consecutive threads read consecutive
        // chunks of a V row.
        for (int i = threadIdx.x; i < SLICES * ROWS * KEY_CHUNKS; i += blockDim.x)
        {
            const int slice = i / (ROWS * KEY_CHUNKS), row = i / KEY_CHUNKS % ROWS, chunk = i % KEY_CHUNKS;
            float sum[8] = {};
            for (int t = slice; t < count; t += SLICES)
            {
                float value[8];
                load_eight(v + (long long)(tile + t) * KV_DIM + chunk * 8, value);
                const float p = s.scores[row][t];
                for (int e = 0; e < 8; ++e)
                    sum[e] += p * value[e];
            }
            for (int e = 0; e < 8; ++e)
                s.partial[slice][row][chunk * 8 + e] = sum[e];
        }
        __syncthreads();

        for (int i = threadIdx.x; i < ROWS * HEAD_DIM; i += blockDim.x)
        {
            const int row = i / HEAD_DIM, d = i % HEAD_DIM;
            float a = s.acc[row][d] * s.rescale[row];
            for (int slice = 0; slice < SLICES; ++slice)
                a += s.partial[slice][row][d];
            s.acc[row][d] = a;
        }
        __syncthreads();
    }
}

""";

        public static KernelParameter KCache(string tokens) => new("const elem_t*", "k_cache", $"[batch][cache_capacity][KV_DIM] K of tokens {tokens} (16-byte aligned)");

        public static KernelParameter VCache(string tokens) => new("const elem_t*", "v_cache", $"[batch][cache_capacity][KV_DIM] V of tokens {tokens} (16-byte aligned)");

        public static readonly KernelParameter CacheCapacity = new("int", "cache_capacity", "tokens per sequence in k_cache and v_cache");

        /// <summary>The parameters of both prefill kernels (prefill_attention and prefill_attention_mma), in order.</summary>
        public static IReadOnlyList<KernelParameter> PrefillParameters() => new List<KernelParameter>
        {
            new("const float*", "q", "[batch][tokens][HEADS][HEAD_DIM] queries from qkv_epilogue"),
            KCache("[0, first_position + tokens)"),
            VCache("[0, first_position + tokens)"),
            new("elem_t*", "out", "[batch][tokens][HEADS][HEAD_DIM] out: attention output, the W_o GEMM's input"),
            new("int", "tokens", "query tokens per sequence"),
            new("int", "first_position", "position of the first query token (0 for a whole prompt)"),
            CacheCapacity,
        };

        private static void EmitPrefill(AttentionTiling tiling, CudaSourceBuilder source)
        {
            var parameters = PrefillParameters();
            var launch = new LaunchShape(LaunchExtent.Of(LaunchVariable.Tokens, tiling.PrefillQueries), LaunchExtent.Of(tiling.HeadBlocks), LaunchExtent.Of(LaunchVariable.Batch), LaunchConstants.AttentionThreads);
            const string description = "Causal attention of prompt tokens already written to the cache by qkv_epilogue: block (x, head block, b) takes PREFILL_QUERIES query tokens of sequence b, each attending from its position p to tokens [first_visible(p), p], and writes the normalised output. The block's HEADS_PER_BLOCK x PREFILL_QUERIES query rows share every K and V load.";
            source.Kernel(new KernelSignature(KernelNames.PrefillAttention, description, parameters, launch), "ATTENTION_THREADS", """
constexpr int ROWS = HEADS_PER_BLOCK * PREFILL_QUERIES;
const int first_token = blockIdx.x * PREFILL_QUERIES, b = blockIdx.z;
const int first_head = blockIdx.y * HEADS_PER_BLOCK;
const int count = min(PREFILL_QUERIES, tokens - first_token);
__shared__ AttentionState<ROWS> s;
// Row i is head first_head + i % HEADS_PER_BLOCK of query token first_token + i / HEADS_PER_BLOCK; rows past
// the last token repeat it (their output is not written) so every row attends to something.
for (int i = threadIdx.x; i < ROWS * HEAD_DIM; i += blockDim.x)
{
    const int row = i / HEAD_DIM, t = first_token + min(row / HEADS_PER_BLOCK, count - 1);
    s.q[row][i % HEAD_DIM] = q[(((long long)b * tokens + t) * HEADS + first_head + row % HEADS_PER_BLOCK) * HEAD_DIM + i % HEAD_DIM];
}
for (int row = threadIdx.x; row < ROWS; row += blockDim.x)
{
    const int position = first_position + first_token + min(row / HEADS_PER_BLOCK, count - 1);
    s.start[row] = first_visible(position);
    s.end[row] = position + 1;
}
begin_attention(s);
const long long offset = kv_head_offset(b, first_head / GROUP_SIZE, cache_capacity);
// The block's first query sees the earliest token; the other rows' windows start fewer than PREFILL_QUERIES later,
// within the first tile.
static_assert(PREFILL_QUERIES <= ATTENTION_TILE, "every row's first visible token lies in the block's first tile");
attend(s, k_cache + offset, v_cache + offset, first_visible(first_position + first_token), first_position + first_token + count);
for (int i = threadIdx.x; i < count * HEADS_PER_BLOCK * HEAD_DIM; i += blockDim.x)
{
    const int row = i / HEAD_DIM, d = i % HEAD_DIM;
    const long long token_row = (long long)b * tokens + first_token + row / HEADS_PER_BLOCK;
    out[(token_row * HEADS + first_head + row % HEADS_PER_BLOCK) * HEAD_DIM + d] = to_elem(s.acc[row][d] / s.sum[row]);
}
""");
        }
    }
}
