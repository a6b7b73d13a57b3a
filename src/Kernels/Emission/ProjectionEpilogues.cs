using System.Collections.Generic;
using System.Linq;

namespace Kvpr.Kernels.Emission
{
    /// <summary>
    /// The epilogues after the attention projection GEMMs: for the new tokens (q, k, v from x.W_qkv^T) and for the
    /// recomputed prefix (k, v from X.W_kv^T). Both add the bias, rotate K where the model uses RoPE, and write K, V into the KV cache
    /// at the tokens' slots with the same code, so a recomputed token gets the K, V it had when it was new (up to the
    /// GEMMs' summation order).
    /// </summary>
    internal static class ProjectionEpilogues
    {
        public static void Emit(ModelSpec spec, CudaSourceBuilder source)
        {
            bool rope = spec.UsesRope();
            bool bias = spec.AttentionBias;
            string biasParameter = bias ? ", const elem_t* bias" : "";
            string biasArgument = BiasArgument(bias, "bias", "");
            string value = bias ? "to_float(src[c]) + to_float(bias[c])" : "to_float(src[c])";

            source.Section("Attention projection epilogues");
            source.Code($$"""
__device__ __forceinline__ void write_value(float* p, float v) { *p = v; }
__device__ __forceinline__ void write_value(elem_t* p, float v) { *p = to_elem(v); }

// dst[c] = ({{(bias ? "src[c] + bias[c]" : "src[c]")}}) * scale for `columns` columns of a projection row.
template <typename T>
__device__ void copy_projection(const elem_t* src{{biasParameter}}, T* dst, int columns, float scale)
{
    for (int c = threadIdx.x; c < columns; c += blockDim.x)
        write_value(dst + c, ({{value}}) * scale);
}
""");
            if (rope)
                source.Code($$"""
// Rotary embedding of `heads` heads of a projection row at `position` (Hugging Face rotate_half: dimension i
// pairs with i + HEAD_DIM / 2 and turns by position * ROPE_THETA^(-2i / HEAD_DIM)), times scale, into dst.
template <typename T>
__device__ void rotate_projection(const elem_t* src{{biasParameter}}, T* dst, int heads, int position, float scale)
{
    constexpr int HALF = HEAD_DIM / 2;
    for (int pair = threadIdx.x; pair < heads * HALF; pair += blockDim.x)
    {
        const int i = pair % HALF;
        const int c = (pair / HALF) * HEAD_DIM + i;
        const float first = {{value}};
        const float second = {{value.Replace("[c]", "[c + HALF]")}};
        const float inv_freq = 1.0f / powf(ROPE_THETA, (float)(2 * i) / (float)HEAD_DIM);
        float sin_angle, cos_angle;
        sincosf((float)position * inv_freq, &sin_angle, &cos_angle);
        write_value(dst + c, (first * cos_angle - second * sin_angle) * scale);
        write_value(dst + c + HALF, (second * cos_angle + first * sin_angle) * scale);
    }
}
""");
            string storeK = rope
                ? $"rotate_projection(kv{biasArgument}, k_cache + slot, KV_HEADS, row_position(r, row_tokens, first_position), 1.0f);"
                : $"copy_projection(kv{biasArgument}, k_cache + slot, KV_DIM, 1.0f);";
            source.Code($$"""
// Row r's K and V from its projection row k | v (2 * KV_DIM columns) into its cache slot{{KvTreatment(rope, bias)}}.
__device__ void store_kv(const elem_t* kv{{biasParameter}}, int r, int row_tokens, int first_position, int cache_capacity, elem_t* k_cache, elem_t* v_cache)
{
    const long long slot = row_slot(r, row_tokens, first_position, cache_capacity) * KV_DIM;
    {{storeK}}
    copy_projection(kv + KV_DIM{{BiasArgument(bias, "bias", "KV_DIM")}}, v_cache + slot, KV_DIM, 1.0f);
}
""");

            EmitQkvEpilogue(spec, source, rope, bias);
            EmitKvRecomputeEpilogue(source, bias);
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

        /// <summary>", name + offset" where the model has attention biases, else nothing.</summary>
        private static string BiasArgument(bool bias, string name, string offset) => !bias ? "" : offset.Length == 0 ? $", {name}" : $", {name} + {offset}";

        /// <summary>What store_kv does besides copying, for comments: " (bias added, K rotated to its position)" or less.</summary>
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
            string description = $"Epilogue of the new tokens' fused projection: {qMath}; K and V of each row{KvTreatment(rope, bias)} appended to the cache at the row's position (slot s' in a decode step, so attention then covers s'+1 tokens). Prefill uses it over all prompt rows.";
            string writeQ = rope
                ? $"rotate_projection(row{BiasArgument(bias, "qkv_bias", "")}, q + (long long)r * HIDDEN, HEADS, row_position(r, row_tokens, first_position), Q_SCALE);"
                : $"copy_projection(row{BiasArgument(bias, "qkv_bias", "")}, q + (long long)r * HIDDEN, HIDDEN, Q_SCALE);";
            source.RowKernel(
                KernelNames.QkvEpilogue, description,
                parameters,
                $$"""
const int r = blockIdx.x;
const elem_t* row = qkv + (long long)r * QKV_WIDTH;
{{writeQ}}
store_kv(row + HIDDEN{{BiasArgument(bias, "qkv_bias", "HIDDEN")}}, r, row_tokens, first_position, cache_capacity, k_cache, v_cache);
""");
        }

        private static void EmitKvRecomputeEpilogue(CudaSourceBuilder source, bool bias)
        {
            var parameters = new List<KernelParameter> { new("const elem_t*", "kv", "[rows][2 * KV_DIM] k | v = X.W_kv^T of the stored activations X (GEMM output, no bias)") };
            if (bias)
                parameters.Add(new("const elem_t*", "kv_bias", "[2 * KV_DIM] b_k | b_v"));
            parameters.AddRange(CacheOutputs());

            const string description = "Epilogue of the recompute GEMM: K and V of tokens [start, end) of every sequence (rows = batch x (end - start), row_tokens = end - start, first_position = start; [0, l) in a decode step) from their stored activations, written into the cache where transferred tokens [l, s') complete them.";
            source.RowKernel(
                KernelNames.KvRecomputeEpilogue, description,
                parameters,
                $$"""
store_kv(kv + (long long)blockIdx.x * 2 * KV_DIM{{BiasArgument(bias, "kv_bias", "")}}, blockIdx.x, row_tokens, first_position, cache_capacity, k_cache, v_cache);
""");
        }
    }
}
