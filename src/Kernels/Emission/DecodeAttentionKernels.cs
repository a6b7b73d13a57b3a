using System.Collections.Generic;

namespace Kvpr.Kernels.Emission
{
    /// <summary>
    /// Flash-decoding attention of one new token per sequence: decode_attention folds each partition of the sequence into
    /// a partial softmax, attention_combine merges the partitions. A block's lane groups each own whole tokens and keep
    /// their softmax state in registers, so the token loop streams K and V with many loads in flight and no barrier.
    /// </summary>
    internal static class DecodeAttentionKernels
    {
        public static void Emit(ModelSpec spec, AttentionTiling tiling, CudaSourceBuilder source)
        {
            source.Code(LaneGroupState);
            EmitDecode(tiling, source);
            EmitCombine(spec, source);
        }

        private const string LaneGroupState = """
// Decode attention. A lane group of LANES_PER_KEY lanes owns whole tokens: lane j of the group holds elements
// 8j..8j+7 of a token's K and V rows (one 16-byte load each) and, for each query head of the block, the same
// elements of q and of the output accumulator, next to the group's running max and sum (online softmax). Group g
// takes tokens g, g + DECODE_GROUPS, ..., DECODE_UNROLL of them per step with every K and V load issued before
// any is used: many loads are in flight per warp, and the token loop needs no shared memory and no barrier.
constexpr int DECODE_GROUPS = ATTENTION_THREADS / LANES_PER_KEY;  // lane groups of a block
constexpr int DECODE_UNROLL = 4;                                   // tokens a group loads per step
constexpr int DECODE_STEP = DECODE_GROUPS * DECODE_UNROLL;         // tokens a block folds per step
// Scores are kept in log2 units (q is scaled by LOG2E), so exp2f, a single hardware instruction, serves as exp.
constexpr float LOG2E = 1.44269504088896341f;
constexpr float LN2 = 0.693147180559945309f;
static_assert(ATTENTION_THREADS % 32 == 0 && 32 % LANES_PER_KEY == 0, "lane groups tile whole warps");
static_assert(DECODE_GROUPS * DECODE_HEADS_PER_BLOCK * (HEAD_DIM + 2) * 4 <= 48 * 1024, "the groups' states fit static shared memory");

// One query head's softmax state in one lane of a group, over the tokens the group folded so far.
struct DecodeHead
{
    float q[8];    // this lane's 8 query elements, times LOG2E (zero on a lane past the head's last chunk)
    float max;     // running max of the scores, log2 units (-inf before the first token)
    float sum;     // running sum of 2^(score - max)
    float acc[8];  // running sum of 2^(score - max) * v over this lane's 8 elements
};

// What to subtract from scores against a running max: the max itself, or 0 while it is still -inf (nothing
// folded yet), so that 2^(-inf - shift) gives 0 rather than 2^(-inf + inf) = NaN.
__device__ __forceinline__ float softmax_shift(float max) { return max == negative_infinity() ? 0.0f : max; }

// Folds DECODE_UNROLL tokens (K and V as loaded; invalid ones past the partition's end) into one head's state: each
// score is this lane's 8-element dot summed over the group's lanes; the old sum and accumulator are rescaled by
// 2^(old max - new max).
__device__ __forceinline__ void fold_tokens(DecodeHead& head, const uint4* key, const uint4* value, const bool* valid)
{
    float score[DECODE_UNROLL];
    float new_max = head.max;
    #pragma unroll
    for (int u = 0; u < DECODE_UNROLL; ++u)
    {
        float k[8];
        unpack_eight(key[u], k);
        float dot = 0.0f;
        #pragma unroll
        for (int e = 0; e < 8; ++e)
            dot += head.q[e] * k[e];
        #pragma unroll
        for (int offset = LANES_PER_KEY / 2; offset > 0; offset /= 2)
            dot += __shfl_xor_sync(FULL_WARP, dot, offset);
        score[u] = valid[u] ? dot : negative_infinity();
        new_max = fmaxf(new_max, score[u]);
    }
    const float shift = softmax_shift(new_max);
    const float rescale = exp2f(head.max - shift);
    head.max = new_max;
    head.sum *= rescale;
    #pragma unroll
    for (int e = 0; e < 8; ++e)
        head.acc[e] *= rescale;
    #pragma unroll
    for (int u = 0; u < DECODE_UNROLL; ++u)
    {
        const float p = exp2f(score[u] - shift);
        float v[8];
        unpack_eight(value[u], v);
        head.sum += p;
        #pragma unroll
        for (int e = 0; e < 8; ++e)
            head.acc[e] += p * v[e];
    }
}
""";

        private static void EmitDecode(AttentionTiling tiling, CudaSourceBuilder source)
        {
            var parameters = new List<KernelParameter>
            {
                new("const float*", "q", "[batch][HEADS][HEAD_DIM] queries from qkv_epilogue"),
                AttentionKernels.KCache("[0, length): recomputed prefix, transferred rest, new token"),
                AttentionKernels.VCache("[0, length)"),
                new("float*", "partial_acc", "[partitions][batch][HEADS][HEAD_DIM] out: sum of exp(score - max) * v per partition"),
                new("float*", "partial_max", "[partitions][batch][HEADS] out: max score per partition (-inf for an empty partition)"),
                new("float*", "partial_sum", "[partitions][batch][HEADS] out: sum of exp(score - max) per partition"),
                new("int", "length", "tokens to attend to: s' + 1 in a decode step"),
                new("int", "tokens_per_partition", "tokens per partition (DecodePartitions); partitions past the last token stay empty"),
                AttentionKernels.CacheCapacity,
            };
            var launch = new LaunchShape(LaunchExtent.Of(LaunchVariable.Partitions), LaunchExtent.Of(tiling.DecodeHeadBlocks), LaunchExtent.Of(LaunchVariable.Batch), LaunchConstants.AttentionThreads);
            const string description = "Flash-decoding attention of one new token per sequence over its KV cache, in partitions of the sequence: block (partition, head block, b) folds the tokens of [partition * tokens_per_partition, +tokens_per_partition) the new token sees (first_visible) into a partial softmax of DECODE_HEADS_PER_BLOCK query heads sharing KV head first_head / GROUP_SIZE; scores are q.k with q pre-scaled. attention_combine merges the partitions.";
            source.Kernel(new KernelSignature(KernelNames.DecodeAttention, description, parameters, launch), "ATTENTION_THREADS", """
const int partition = blockIdx.x, b = blockIdx.z;
const int first_head = blockIdx.y * DECODE_HEADS_PER_BLOCK;
// The partition's tokens the new token (at position length - 1) sees; a partition before its window stays empty.
const int begin = max(partition * tokens_per_partition, first_visible(length - 1)), end = min(length, (partition + 1) * tokens_per_partition);
const int key_lane = threadIdx.x % LANES_PER_KEY, group = threadIdx.x / LANES_PER_KEY;
// Where HEAD_DIM / 8 is not a power of two, a group's spare lanes load its last chunk again (bytes a busy lane
// loads too: no extra traffic) and dot it with a zero query, so they add nothing.
const bool owns_chunk = key_lane < KEY_CHUNKS;
const int chunk = min(key_lane, KEY_CHUNKS - 1);

DecodeHead heads[DECODE_HEADS_PER_BLOCK];
#pragma unroll
for (int h = 0; h < DECODE_HEADS_PER_BLOCK; ++h)
{
    const float* head_q = q + ((long long)b * HEADS + first_head + h) * HEAD_DIM + chunk * 8;
    #pragma unroll
    for (int e = 0; e < 8; ++e)
    {
        heads[h].q[e] = owns_chunk ? head_q[e] * LOG2E : 0.0f;
        heads[h].acc[e] = 0.0f;
    }
    heads[h].max = negative_infinity();
    heads[h].sum = 0.0f;
}

const long long lane_offset = kv_head_offset(b, first_head / GROUP_SIZE, cache_capacity) + chunk * 8;
const elem_t* k = k_cache + lane_offset;
const elem_t* v = v_cache + lane_offset;
// The bounds are the same for the whole block, so every lane of a warp takes part in the shuffles.
for (int step = begin; step < end; step += DECODE_STEP)
{
    uint4 key[DECODE_UNROLL], value[DECODE_UNROLL];
    bool valid[DECODE_UNROLL];
    #pragma unroll
    for (int u = 0; u < DECODE_UNROLL; ++u)
    {
        const int token = step + u * DECODE_GROUPS + group;
        valid[u] = token < end;
        // A token past the end loads the last one instead (a valid address); its score is masked to -inf.
        const long long row = (long long)min(token, end - 1) * KV_DIM;
        key[u] = load_sixteen_bytes(k + row);
        value[u] = load_sixteen_bytes(v + row);
    }
    #pragma unroll
    for (int h = 0; h < DECODE_HEADS_PER_BLOCK; ++h)
        fold_tokens(heads[h], key, value, valid);
}

// Merge the lane groups: each publishes its state, then a thread per (head, dimension) rescales every group to
// the block's max. An empty partition ends with max -inf and sum 0, which attention_combine skips.
__shared__ float group_acc[DECODE_GROUPS][DECODE_HEADS_PER_BLOCK][HEAD_DIM];
__shared__ float group_max[DECODE_GROUPS][DECODE_HEADS_PER_BLOCK];
__shared__ float group_sum[DECODE_GROUPS][DECODE_HEADS_PER_BLOCK];
#pragma unroll
for (int h = 0; h < DECODE_HEADS_PER_BLOCK; ++h)
{
    if (owns_chunk)
    {
        #pragma unroll
        for (int e = 0; e < 8; ++e)
            group_acc[group][h][chunk * 8 + e] = heads[h].acc[e];
    }
    if (key_lane == 0)
    {
        group_max[group][h] = heads[h].max;
        group_sum[group][h] = heads[h].sum;
    }
}
__syncthreads();
for (int i = threadIdx.x; i < DECODE_HEADS_PER_BLOCK * HEAD_DIM; i += ATTENTION_THREADS)
{
    const int h = i / HEAD_DIM, d = i % HEAD_DIM;
    float block_max = negative_infinity();
    for (int g = 0; g < DECODE_GROUPS; ++g)
        block_max = fmaxf(block_max, group_max[g][h]);
    const float shift = softmax_shift(block_max);
    float acc = 0.0f, sum = 0.0f;
    for (int g = 0; g < DECODE_GROUPS; ++g)
    {
        const float weight = exp2f(group_max[g][h] - shift);
        acc += weight * group_acc[g][h][d];
        sum += weight * group_sum[g][h];
    }
    // Partition-major, so one partition's partials are one contiguous run (the CPU's partial is copied in as one more).
    const long long stat = ((long long)partition * gridDim.z + b) * HEADS + first_head + h;
    partial_acc[stat * HEAD_DIM + d] = acc;
    if (d == 0)
    {
        partial_max[stat] = block_max * LN2;  // back to natural units for attention_combine
        partial_sum[stat] = sum;
    }
}
""");
        }

        private static void EmitCombine(ModelSpec spec, CudaSourceBuilder source)
        {
            var parameters = new List<KernelParameter>
            {
                new("const float*", "partial_acc", "[partitions][batch][HEADS][HEAD_DIM] from decode_attention"),
                new("const float*", "partial_max", "[partitions][batch][HEADS] from decode_attention"),
                new("const float*", "partial_sum", "[partitions][batch][HEADS] from decode_attention"),
                new("elem_t*", "out", "[batch][HEADS][HEAD_DIM] out: attention output, the W_o GEMM's input"),
                new("int", "partitions", "partitions of the decode_attention launch"),
                new("const float*", "host_acc", "[batch][HEADS][HEAD_DIM] the CPU's partial over the tokens it attended to, read in place from pinned host memory; null without CPU attention"),
                new("const float*", "host_max", "[batch][HEADS] the CPU's partial, pinned host memory (with host_acc)"),
                new("const float*", "host_sum", "[batch][HEADS] the CPU's partial, pinned host memory (with host_acc)"),
            };
            // A thread per head dimension, a block per (head, sequence).
            var launch = new LaunchShape(LaunchExtent.Of(spec.Heads), LaunchExtent.Of(LaunchVariable.Batch), LaunchExtent.Of(1), spec.HeadDim);
            source.Kernel(
                new KernelSignature(KernelNames.AttentionCombine, "Merges the partitions of decode_attention: out = sum_s exp(max_s - M) acc_s / sum_s exp(max_s - M) sum_s with M the largest partition max.", parameters, launch),
                "HEAD_DIM",
                """
const int h = blockIdx.x, b = blockIdx.y, d = threadIdx.x;
// This (sequence, head)'s entry of each partition; partitions lie batch * HEADS entries apart. The CPU's partial, when
// given, is one more partition read over PCIe where the CPU wrote it (no copy that would queue behind the link's loads);
// its max is read once.
const long long first = (long long)b * HEADS + h, stride = (long long)gridDim.y * HEADS;
const float host_partition_max = host_max != nullptr ? host_max[first] : negative_infinity();
float overall_max = host_partition_max;
for (int partition = 0; partition < partitions; ++partition)
    overall_max = fmaxf(overall_max, partial_max[first + partition * stride]);
float numerator = 0.0f, denominator = 0.0f;
for (int partition = 0; partition < partitions; ++partition)
{
    const long long stat = first + partition * stride;
    if (partial_max[stat] == negative_infinity())
        continue;  // an empty partition contributes nothing
    const float weight = expf(partial_max[stat] - overall_max);
    numerator += weight * partial_acc[stat * HEAD_DIM + d];
    denominator += weight * partial_sum[stat];
}
if (host_partition_max != negative_infinity())
{
    const float weight = expf(host_partition_max - overall_max);
    numerator += weight * host_acc[first * HEAD_DIM + d];
    denominator += weight * host_sum[first];
}
out[((long long)b * HEADS + h) * HEAD_DIM + d] = to_elem(numerator / denominator);
""");
        }
    }
}
