using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Kvpr.Kernels.Emission
{
    /// <summary>
    /// The epilogues after the attention projection GEMMs: for the new tokens (q, k, v from x.W_qkv^T) and for the
    /// recomputed prefix (k, v from X.W_kv^T). Both add the bias, rotate K where the model uses RoPE, and write K, V into the KV cache
    /// at the tokens' slots with the same code, so a recomputed token gets the K, V it had when it was new (up to the
    /// GEMMs' summation order). They work head by head: a block takes a few heads of one row, a thread the column pair
    /// (t, t + HALF_HEAD) of a head, which is the pair RoPE rotates together; a decode step's few rows thus still give
    /// every multiprocessor blocks.
    /// </summary>
    internal static class ProjectionEpilogues
    {
        public static void Emit(ModelSpec spec, CudaSourceBuilder source)
        {
            bool rope = spec.UsesRope();
            bool bias = spec.AttentionBias;
            string biasParameter = bias ? ", const elem_t* bias" : "";
            string biasArgument = bias ? ", bias" : "";
            string first = bias ? "to_float(src[t]) + to_float(bias[t])" : "to_float(src[t])";
            string second = bias ? "to_float(src[t + HALF_HEAD]) + to_float(bias[t + HALF_HEAD])" : "to_float(src[t + HALF_HEAD])";

            source.Section("Attention projection epilogues");
            source.Code($$"""
constexpr int HALF_HEAD = HEAD_DIM / 2;
constexpr int EPILOGUE_HEADS = ROW_THREADS / HALF_HEAD;  // heads of a row one epilogue block covers
static_assert(HALF_HEAD <= ROW_THREADS, "an epilogue block holds a head's column pairs");

__device__ __forceinline__ void write_value(float* p, float v) { *p = v; }
__device__ __forceinline__ void write_value(elem_t* p, float v) { *p = to_elem(v); }

// Columns t and t + HALF_HEAD of one head of a projection row: ({{(bias ? "src + bias" : "src")}}) * scale into dst.
template <typename T>
__device__ __forceinline__ void copy_pair(const elem_t* src{{biasParameter}}, T* dst, int t, float scale)
{
    write_value(dst + t, {{Parenthesized(first, bias)}} * scale);
    write_value(dst + t + HALF_HEAD, {{Parenthesized(second, bias)}} * scale);
}
""");
            if (rope)
                source.Code($$"""
{{RopeTable(spec)}}

// The same pair rotated to `position` (Hugging Face rotate_half: dimension t pairs with t + HALF_HEAD and turns by
// position * ROPE_INV_FREQ[t]), times scale.
template <typename T>
__device__ __forceinline__ void rotate_pair(const elem_t* src{{biasParameter}}, T* dst, int t, int position, float scale)
{
    const float x = {{first}};
    const float y = {{second}};
    float sin_angle, cos_angle;
    sincosf((float)position * ROPE_INV_FREQ[t], &sin_angle, &cos_angle);
    write_value(dst + t, (x * cos_angle - y * sin_angle) * scale);
    write_value(dst + t + HALF_HEAD, (y * cos_angle + x * sin_angle) * scale);
}
""");
            string storeK = rope
                ? $"rotate_pair(src{biasArgument}, k_cache + slot + head * HEAD_DIM, t, row_position(r, row_tokens, first_position), 1.0f);"
                : $"copy_pair(src{biasArgument}, k_cache + slot + head * HEAD_DIM, t, 1.0f);";
            source.Code($$"""
// Pair t of K/V head `head` of row r (K heads 0..KV_HEADS-1, then V heads), src at the head's projection columns,
// into the row's cache slot{{KvTreatment(rope, bias)}}.
__device__ __forceinline__ void store_kv_pair(const elem_t* src{{biasParameter}}, int head, int t, int r, int row_tokens, int first_position, int cache_capacity, elem_t* k_cache, elem_t* v_cache)
{
    const long long slot = row_slot(r, row_tokens, first_position, cache_capacity) * KV_DIM;
    if (head < KV_HEADS)
        {{storeK}}
    else
        copy_pair(src{{biasArgument}}, v_cache + slot + (head - KV_HEADS) * HEAD_DIM, t, 1.0f);
}
""");

            EmitQkvEpilogue(spec, source, rope, bias);
            EmitKvRecomputeEpilogue(spec, source, bias);
        }

        /// <summary>
        /// RoPE's inverse frequencies as a table in the source: the very values the CPU ops use (<see cref="RotaryFrequencies"/>),
        /// scaled and rounded as Hugging Face's inv_freq buffer, so the GPU turns K and q by the same angles.
        /// </summary>
        private static string RopeTable(ModelSpec spec)
        {
            string scaling = spec.RopeScaling switch
            {
                RopeScaling.Linear => $", divided by the linear scaling factor {spec.RopeScalingFactor.ToString(CultureInfo.InvariantCulture)}",
                RopeScaling.Llama3 => string.Format(CultureInfo.InvariantCulture, ", with Llama 3 scaling (factor {0}, low_freq_factor {1}, high_freq_factor {2}, original_max_position_embeddings {3})",
                    spec.RopeScalingFactor, spec.RopeLowFrequencyFactor, spec.RopeHighFrequencyFactor, spec.RopeOriginalMaxPositions),
                _ => "",
            };
            var values = RotaryFrequencies.For(spec).Select(f => CudaLiteral.Float(f)).ToArray();
            var lines = Enumerable.Range(0, (values.Length + 7) / 8).Select(line => "    " + string.Join(", ", values.Skip(line * 8).Take(8)) + ",");
            return $$"""
// RoPE inverse frequencies: pair t turns by position * ROPE_INV_FREQ[t] = theta^(-2t / HEAD_DIM) with theta = {{spec.RopeTheta.ToString(CultureInfo.InvariantCulture)}}{{scaling}},
// rounded to elem_t as Hugging Face's inv_freq buffer is when the model is cast to its dtype.
__device__ const float ROPE_INV_FREQ[HALF_HEAD] = {
{{string.Join("\n", lines)}}
};
""";
        }

        /// <summary>The K and V caches the epilogues write, and where each row goes in them.</summary>
        private static IEnumerable<KernelParameter> CacheOutputs()
        {
            yield return new("elem_t*", "k_cache", "[batch][cache_capacity][KV_DIM] out: K of row r at slot (sequence, position)");
            yield return new("elem_t*", "v_cache", "[batch][cache_capacity][KV_DIM] out: V of row r at slot (sequence, position)");
            foreach (var parameter in RowMapping.Parameters())
                yield return parameter;
            yield return new("int", "cache_capacity", "tokens per sequence in k_cache and v_cache");
        }

        /// <summary>Blocks along a row for <paramref name="heads"/> heads, EPILOGUE_HEADS a block.</summary>
        private static int HeadBlocks(ModelSpec spec, int heads)
        {
            int perBlock = LaunchConstants.RowThreads / (spec.HeadDim / 2);
            return (heads + perBlock - 1) / perBlock;
        }

        /// <summary>The head of the row this thread works on and its column pair, or a return for the block's spare threads.</summary>
        private static string HeadAndPair(string heads) => $$"""
const int r = blockIdx.x;
const int head = blockIdx.y * EPILOGUE_HEADS + threadIdx.x / HALF_HEAD, t = threadIdx.x % HALF_HEAD;
if (threadIdx.x >= EPILOGUE_HEADS * HALF_HEAD || head >= {{heads}})
    return;
""";

        /// <summary>The projected value as a factor: in parentheses when the bias makes it a sum.</summary>
        private static string Parenthesized(string value, bool bias) => bias ? $"({value})" : value;

        /// <summary>", name + offset" where the model has attention biases, else nothing.</summary>
        private static string BiasArgument(bool bias, string name, string offset) => !bias ? "" : $", {name} + {offset}";

        /// <summary>What store_kv_pair does besides copying, for comments: " (bias added, K rotated to its position)" or less.</summary>
        private static string KvTreatment(bool rope, bool bias)
        {
            string treatment = string.Join(", ", new[] { bias ? "bias added" : "", rope ? "K rotated to its position" : "" }.Where(t => t.Length > 0));
            return treatment.Length == 0 ? "" : $" ({treatment})";
        }

        private static void EmitQkvEpilogue(ModelSpec spec, CudaSourceBuilder source, bool rope, bool bias)
        {
            var parameters = new List<KernelParameter> { new("const elem_t*", "qkv", "[rows][QKV_WIDTH] q | k | v = x.W_qkv^T (GEMM output, no bias)") };
            if (bias)
                parameters.Add(new("const elem_t*", "qkv_bias", "[QKV_WIDTH] b_q | b_k | b_v"));
            parameters.Add(new("float*", "q", "[rows][HEADS][HEAD_DIM] out: the query, scaled by Q_SCALE" + (rope ? ", rotated" : "")));
            parameters.AddRange(CacheOutputs());

            string projected = bias ? "x.W_q^T + b_q" : "x.W_q^T";
            string qMath = rope
                ? $"q = RoPE({projected}, position) * Q_SCALE (scaling q is scaling the scores)"
                : $"q = ({projected}) * Q_SCALE{(spec.Architecture == Architecture.Opt ? " as in Hugging Face OPT" : "")}";
            string description = $"Epilogue of the new tokens' fused projection: {qMath}; K and V of each row{KvTreatment(rope, bias)} appended to the cache at the row's position (slot s' in a decode step, so attention then covers s'+1 tokens). Prefill uses it over all prompt rows. Heads: q heads, then K, then V heads of the row.";
            string query = "q + (long long)r * HIDDEN + head * HEAD_DIM";
            string writeQ = rope
                ? $"rotate_pair(src{BiasArgument(bias, "qkv_bias", "column")}, {query}, t, row_position(r, row_tokens, first_position), Q_SCALE);"
                : $"copy_pair(src{BiasArgument(bias, "qkv_bias", "column")}, {query}, t, Q_SCALE);";
            source.RowPartKernel(
                KernelNames.QkvEpilogue, description,
                parameters, HeadBlocks(spec, spec.Heads + 2 * spec.KvHeads),
                $$"""
{{HeadAndPair("HEADS + 2 * KV_HEADS")}}
const int column = head * HEAD_DIM;  // q, k and v heads lie back to back in the row
const elem_t* src = qkv + (long long)r * QKV_WIDTH + column;
if (head < HEADS)
    {{writeQ}}
else
    store_kv_pair(src{{BiasArgument(bias, "qkv_bias", "column")}}, head - HEADS, t, r, row_tokens, first_position, cache_capacity, k_cache, v_cache);
""");
        }

        private static void EmitKvRecomputeEpilogue(ModelSpec spec, CudaSourceBuilder source, bool bias)
        {
            var parameters = new List<KernelParameter> { new("const elem_t*", "kv", "[rows][2 * KV_DIM] k | v = X.W_kv^T of the stored activations X (GEMM output, no bias)") };
            if (bias)
                parameters.Add(new("const elem_t*", "kv_bias", "[2 * KV_DIM] b_k | b_v"));
            parameters.AddRange(CacheOutputs());

            const string description = "Epilogue of the recompute GEMM: K and V of tokens [start, end) of every sequence (rows = batch x (end - start), row_tokens = end - start, first_position = start; [0, l) in a decode step) from their stored activations, written into the cache where transferred tokens [l, s') complete them. Heads: K heads, then V heads of the row.";
            source.RowPartKernel(
                KernelNames.KvRecomputeEpilogue, description,
                parameters, HeadBlocks(spec, 2 * spec.KvHeads),
                $$"""
{{HeadAndPair("2 * KV_HEADS")}}
const int column = head * HEAD_DIM;
store_kv_pair(kv + (long long)r * 2 * KV_DIM + column{{BiasArgument(bias, "kv_bias", "column")}}, head, t, r, row_tokens, first_position, cache_capacity, k_cache, v_cache);
""");
        }
    }
}
