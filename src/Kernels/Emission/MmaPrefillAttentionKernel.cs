namespace Kvpr.Kernels.Emission
{
    /// <summary>
    /// prefill_attention_mma: causal attention of prompt tokens on the tensor cores, flash-attention-2 style. A block
    /// takes MMA_QUERIES query tokens of one head, 16 rows per warp, and walks the keys a tile of MMA_KEYS at a time:
    /// S = q.K^T and O += P.V are mma.sync m16n8k16 on 16-bit operands with float accumulators, and the online softmax
    /// stays in float registers. Same parameters and results as prefill_attention, which remains for the head dims
    /// this kernel does not take (<see cref="AttentionTiling.PrefillUsesMma"/>).
    /// </summary>
    internal static class MmaPrefillAttentionKernel
    {
        public static void Emit(ModelSpec spec, CudaSourceBuilder source)
        {
            string operands = spec.WeightType == WeightType.BFloat16 ? "bf16.bf16" : "f16.f16";
            source.Code($$"""
// Shared rows are padded by 8 elements (16 bytes): a fragment load reads 8 rows x 4 words, and the padding puts the 8
// rows 4 banks apart, so the 32 words fall in 32 banks.
constexpr int Q_STRIDE = HEAD_DIM + 8;
constexpr int KEY_STRIDE = HEAD_DIM + 8;
constexpr int VALUE_STRIDE = MMA_KEYS + 8;  // V is stored transposed: a row per element of the head
// kv_tile holds the K tile, then the transposed V tile, the larger as HEAD_DIM >= MMA_KEYS.
constexpr int KV_TILE_ELEMENTS = HEAD_DIM * VALUE_STRIDE;
static_assert(MMA_KEYS * KEY_STRIDE <= KV_TILE_ELEMENTS, "the K tile fits the V tile's buffer");
static_assert(MMA_QUERIES == ATTENTION_WARPS * 16, "each warp takes 16 query rows, an mma's M");
static_assert(HEAD_DIM % 16 == 0 && MMA_KEYS % 16 == 0, "the head and the key tile are whole mma K steps (and rows whole uint4s)");

#ifdef __CUDACC__
#if __CUDA_ARCH__ < 800
#error "prefill_attention_mma needs mma.sync m16n8k16: a GPU of compute capability 8.0 or later"
#endif
// D += A.B on the tensor cores, for the warp: A 16x16 (row-major), B 16x8 (column-major), of elem_t, D 16x8 float.
// With group = lane / 4 and pair = 2 * (lane % 4), a lane holds, two elements a register (lower column or row in the
// low half): a = {A[group][pair..], A[group + 8][pair..], A[group][pair + 8..], A[group + 8][pair + 8..]},
// b = {B[pair..][group], B[pair + 8..][group]} and d = {D[group][pair], D[group][pair + 1], D[group + 8][pair],
// D[group + 8][pair + 1]}. (Host checks compiled with g++ bring their own mma_16x8x16.)
__device__ __forceinline__ void mma_16x8x16(float (&d)[4], const unsigned (&a)[4], const unsigned (&b)[2])
{
    asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.{{operands}}.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, {%0, %1, %2, %3};"
                 : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
}
#endif

// Two adjacent elements of shared memory as one fragment register (p 4-byte aligned: an even column of an even stride).
__device__ __forceinline__ unsigned load_pair(const elem_t* p) { return *reinterpret_cast<const unsigned*>(p); }

// Two floats rounded to elem_t as one fragment register, low first.
__device__ __forceinline__ unsigned pack_pair(float low, float high)
{
    elem2_t pair;
    pair.x = to_elem(low);
    pair.y = to_elem(high);
    return *reinterpret_cast<const unsigned*>(&pair);
}

// Keys [tile, tile + MMA_KEYS) of k (token 0 of the block's KV head) into rows of kv_tile; keys from `end` on are
// zeros, as they may lie past the cache.
__device__ void load_key_tile(elem_t* kv_tile, const elem_t* k, int tile, int end)
{
    for (int i = threadIdx.x; i < MMA_KEYS * KEY_CHUNKS; i += ATTENTION_THREADS)
    {
        const int key = i / KEY_CHUNKS, chunk = i % KEY_CHUNKS;
        uint4 raw = {0, 0, 0, 0};
        if (tile + key < end)
            raw = load_sixteen_bytes(k + (long long)(tile + key) * KV_DIM + chunk * 8);
        *reinterpret_cast<uint4*>(kv_tile + key * KEY_STRIDE + chunk * 8) = raw;
    }
}

// The same keys' V transposed, kv_tile[d * VALUE_STRIDE + key], so a B fragment of P.V (two adjacent keys of one
// column) is one load; zeros from `end` on, so that p = 0 there never meets a NaN. Consecutive threads take
// consecutive keys, so their 2-byte stores fall in different banks.
__device__ void load_value_tile(elem_t* kv_tile, const elem_t* v, int tile, int end)
{
    for (int i = threadIdx.x; i < MMA_KEYS * KEY_CHUNKS; i += ATTENTION_THREADS)
    {
        const int key = i % MMA_KEYS, chunk = i / MMA_KEYS;
        uint4 raw = {0, 0, 0, 0};
        if (tile + key < end)
            raw = load_sixteen_bytes(v + (long long)(tile + key) * KV_DIM + chunk * 8);
        const elem_t* elements = reinterpret_cast<const elem_t*>(&raw);
        #pragma unroll
        for (int e = 0; e < 8; ++e)
            kv_tile[(chunk * 8 + e) * VALUE_STRIDE + key] = elements[e];
    }
}
""");
            var launch = new LaunchShape(LaunchExtent.Of(LaunchVariable.Tokens, LaunchConstants.MmaQueries), LaunchExtent.Of(spec.Heads), LaunchExtent.Of(LaunchVariable.Batch), LaunchConstants.AttentionThreads);
            const string description = "Causal attention of prompt tokens already written to the cache by qkv_epilogue, on the tensor cores: block (x, head, b) takes MMA_QUERIES query tokens of head `head` of sequence b, each attending from its position p to tokens [first_visible(p), p], and writes the normalised output. Warp w owns query rows 16w..16w+15; S = q.K^T and O += P.V are m16n8k16 mmas with float accumulators, the softmax runs online in float.";
            source.Kernel(new KernelSignature(KernelNames.PrefillAttentionMma, description, AttentionKernels.PrefillParameters(), launch), "ATTENTION_THREADS", """
const int first_token = blockIdx.x * MMA_QUERIES, head = blockIdx.y, b = blockIdx.z;
const int count = min(MMA_QUERIES, tokens - first_token);
const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
const int group = lane / 4, pair = lane % 4 * 2;  // this lane's fragment row and first column (see mma_16x8x16)
// Shared tiles declared as uint4 so that 16-byte stores into them are aligned; kv_tile holds a tile of K, then of V.
__shared__ uint4 q_storage[MMA_QUERIES * Q_STRIDE / 8], kv_storage[KV_TILE_ELEMENTS / 8];
elem_t* q_tile = reinterpret_cast<elem_t*>(q_storage);
elem_t* kv_tile = reinterpret_cast<elem_t*>(kv_storage);

// The query rows as elem_t for the mma (q is already scaled by 1/sqrt(HEAD_DIM)). Rows past the last token repeat it
// (their output is not written), so every row attends to something.
for (int i = threadIdx.x; i < MMA_QUERIES * HEAD_DIM; i += ATTENTION_THREADS)
{
    const int row = i / HEAD_DIM, d = i % HEAD_DIM, t = first_token + min(row, count - 1);
    q_tile[row * Q_STRIDE + d] = to_elem(q[(((long long)b * tokens + t) * HEADS + head) * HEAD_DIM + d]);
}

// This lane's rows warp * 16 + group + 8 * half (half 0 and 1) attend to keys [start[half], position[half]]; the
// warp's rows together to [warp_start, warp_end), and the block's to [first_visible(block_position), block_end).
const int block_position = first_position + first_token, block_end = block_position + count;
const int row = warp * 16 + group;
const int position[2] = {block_position + min(row, count - 1), block_position + min(row + 8, count - 1)};
const int start[2] = {first_visible(position[0]), first_visible(position[1])};
const int warp_start = first_visible(block_position + min(warp * 16, count - 1));
const int warp_end = block_position + min(warp * 16 + 15, count - 1) + 1;
const long long offset = kv_head_offset(b, head / GROUP_SIZE, cache_capacity);

// Output fragments of the warp's 16 rows, columns 8n..8n+7 in acc[n]; running max of each row, and this lane's part
// (its columns) of each row's sum of exp(score - max), added across the row's 4 lanes at the end.
float acc[HEAD_DIM / 8][4] = {};
float row_max[2] = {negative_infinity(), negative_infinity()}, row_sum[2] = {0.0f, 0.0f};
for (int tile = first_visible(block_position); tile < block_end; tile += MMA_KEYS)
{
    // A warp none of whose rows sees a key of the tile skips its math (warp-uniform, so mma.sync stays whole).
    const bool active = tile < warp_end && tile + MMA_KEYS > warp_start;
    float score[MMA_KEYS / 8][4] = {};  // S of keys tile + 8n.. in score[n], laid out as mma_16x8x16's d
    __syncthreads();  // the previous tile's V is consumed (and, the first time, q_tile is written)
    load_key_tile(kv_tile, k_cache + offset, tile, block_end);
    __syncthreads();
    if (active)
    {
        #pragma unroll
        for (int kd = 0; kd < HEAD_DIM; kd += 16)
        {
            const elem_t* query = q_tile + row * Q_STRIDE + kd + pair;
            const unsigned a[4] = {load_pair(query), load_pair(query + 8 * Q_STRIDE), load_pair(query + 8), load_pair(query + 8 * Q_STRIDE + 8)};
            #pragma unroll
            for (int n = 0; n < MMA_KEYS / 8; ++n)
            {
                // K rows are B's columns: B[d][key] = K[key][d], two adjacent d a register.
                const elem_t* key = kv_tile + (n * 8 + group) * KEY_STRIDE + kd + pair;
                const unsigned bk[2] = {load_pair(key), load_pair(key + 8)};
                mma_16x8x16(score[n], a, bk);
            }
        }

        // Online softmax of each row: scores outside the row's keys become -inf, the rest exp(score - new max); the
        // sum and the output so far are rescaled by exp(old max - new max).
        #pragma unroll
        for (int half = 0; half < 2; ++half)
        {
            float tile_max = negative_infinity();
            #pragma unroll
            for (int n = 0; n < MMA_KEYS / 8; ++n)
            {
                #pragma unroll
                for (int e = 0; e < 2; ++e)
                {
                    const int key = tile + n * 8 + pair + e;
                    float& s = score[n][2 * half + e];
                    if (key < start[half] || key > position[half])
                        s = negative_infinity();
                    tile_max = fmaxf(tile_max, s);
                }
            }
            // The row's keys are spread over its 4 lanes (lanes 4 * group..).
            tile_max = fmaxf(tile_max, __shfl_xor_sync(FULL_WARP, tile_max, 1));
            tile_max = fmaxf(tile_max, __shfl_xor_sync(FULL_WARP, tile_max, 2));
            const float new_max = fmaxf(row_max[half], tile_max);
            // A row that has seen no key yet (a window starting in a later tile) keeps max -inf; 0 stands in for it so
            // that exp gives 0 rather than NaN.
            const float reference = new_max == negative_infinity() ? 0.0f : new_max;
            const float rescale = expf(row_max[half] - reference);
            row_max[half] = new_max;
            float tile_sum = 0.0f;
            #pragma unroll
            for (int n = 0; n < MMA_KEYS / 8; ++n)
            {
                #pragma unroll
                for (int e = 0; e < 2; ++e)
                {
                    float& s = score[n][2 * half + e];
                    s = expf(s - reference);
                    tile_sum += s;
                }
            }
            row_sum[half] = row_sum[half] * rescale + tile_sum;
            #pragma unroll
            for (int n = 0; n < HEAD_DIM / 8; ++n)
            {
                acc[n][2 * half] *= rescale;
                acc[n][2 * half + 1] *= rescale;
            }
        }
    }
    __syncthreads();  // every warp is done with K
    load_value_tile(kv_tile, v_cache + offset, tile, block_end);
    __syncthreads();
    if (active)
    {
        #pragma unroll
        for (int kk = 0; kk < MMA_KEYS / 16; ++kk)
        {
            // P of keys tile + 16kk.. as an A fragment: the d layout of score[2kk] and score[2kk + 1] is exactly it.
            const unsigned a[4] = {pack_pair(score[2 * kk][0], score[2 * kk][1]), pack_pair(score[2 * kk][2], score[2 * kk][3]),
                                   pack_pair(score[2 * kk + 1][0], score[2 * kk + 1][1]), pack_pair(score[2 * kk + 1][2], score[2 * kk + 1][3])};
            #pragma unroll
            for (int n = 0; n < HEAD_DIM / 8; ++n)
            {
                const elem_t* value = kv_tile + (n * 8 + group) * VALUE_STRIDE + kk * 16 + pair;
                const unsigned bv[2] = {load_pair(value), load_pair(value + 8)};
                mma_16x8x16(acc[n], a, bv);
            }
        }
    }
}

// Each row sees at least its own token, so its sum is positive.
#pragma unroll
for (int half = 0; half < 2; ++half)
{
    float total = row_sum[half];
    total += __shfl_xor_sync(FULL_WARP, total, 1);
    total += __shfl_xor_sync(FULL_WARP, total, 2);
    if (row + 8 * half < count)
    {
        elem_t* out_row = out + (((long long)b * tokens + first_token + row + 8 * half) * HEADS + head) * HEAD_DIM;
        #pragma unroll
        for (int n = 0; n < HEAD_DIM / 8; ++n)
        {
            out_row[n * 8 + pair] = to_elem(acc[n][2 * half] / total);
            out_row[n * 8 + pair + 1] = to_elem(acc[n][2 * half + 1] / total);
        }
    }
}
""");
        }
    }
}
