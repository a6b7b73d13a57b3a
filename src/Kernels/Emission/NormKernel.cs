using System.Collections.Generic;

namespace Kvpr.Kernels.Emission
{
    /// <summary>
    /// LayerNorm or RMSNorm of the residual stream into the element type: the next GEMM's input, and, for the
    /// attention norm, the activation the host store keeps so that K and V can be recomputed with one GEMM.
    /// </summary>
    internal static class NormKernel
    {
        public static void Emit(ModelSpec spec, CudaSourceBuilder source)
        {
            bool layerNorm = spec.Norm == NormKind.LayerNorm;
            var parameters = new List<KernelParameter>
            {
                new("const float*", "hidden", "[rows][HIDDEN] residual stream"),
                new("const elem_t*", "weight", "[HIDDEN] norm weight (gamma)"),
            };
            if (layerNorm)
                parameters.Add(new("const elem_t*", "bias", "[HIDDEN] norm bias (beta)"));
            parameters.Add(new("elem_t*", "out", "[rows][HIDDEN] out: normalised rows, the next GEMM's input"));
            parameters.Add(new("elem_t*", "activation_store", "[batch][store_capacity][HIDDEN] out, or 0: row r also goes to (sequence, position)"));
            parameters.AddRange(RowMapping.Parameters());
            parameters.Add(new("int", "store_capacity", "tokens per sequence in activation_store"));

            string description = layerNorm
                ? "LayerNorm of each row: out[r] = (x - mean) / sqrt(var + NORM_EPS) * weight + bias, with the mean and (biased) variance of the row in float. Used before attention (storing the activation), before the MLP and after the last layer (activation_store = 0)."
                : "RMSNorm of each row: out[r] = x / sqrt(mean(x^2) + NORM_EPS) * weight, in float. Used before attention (storing the activation), before the MLP and after the last layer (activation_store = 0).";
            // The row stays in registers (NORM_COLUMNS a thread, ROW_THREADS apart): all its loads are issued before
            // the first reduction waits on them, and the statistics and the output read no memory again.
            string statistics = layerNorm
                ? """
float sum = 0.0f;
#pragma unroll
for (int e = 0; e < NORM_COLUMNS; ++e)
    sum += v[e];
const float mean = block_sum(sum) / HIDDEN;
float squares = 0.0f;
#pragma unroll
for (int e = 0; e < NORM_COLUMNS; ++e)
    squares += e * ROW_THREADS + threadIdx.x < HIDDEN ? (v[e] - mean) * (v[e] - mean) : 0.0f;
const float inv_std = rsqrtf(block_sum(squares) / HIDDEN + NORM_EPS);
"""
                : """
float squares = 0.0f;
#pragma unroll
for (int e = 0; e < NORM_COLUMNS; ++e)
    squares += v[e] * v[e];
const float inv_rms = rsqrtf(block_sum(squares) / HIDDEN + NORM_EPS);
""";
            string normalised = layerNorm
                ? "(v[e] - mean) * inv_std * to_float(weight[i]) + to_float(bias[i])"
                : "v[e] * inv_rms * to_float(weight[i])";
            source.Section("Normalisation");
            source.Code("constexpr int NORM_COLUMNS = (HIDDEN + ROW_THREADS - 1) / ROW_THREADS;  // columns of a row each thread of normalize holds");
            source.RowKernel(
                KernelNames.Normalize, description,
                parameters,
                $$"""
const int r = blockIdx.x;
const float* x = hidden + (long long)r * HIDDEN;
float v[NORM_COLUMNS];  // column e * ROW_THREADS + threadIdx.x, 0 past the row's end
#pragma unroll
for (int e = 0; e < NORM_COLUMNS; ++e)
{
    const int i = e * ROW_THREADS + threadIdx.x;
    v[e] = i < HIDDEN ? x[i] : 0.0f;
}
{{statistics}}
elem_t* out_row = out + (long long)r * HIDDEN;
elem_t* stored_row = activation_store == nullptr ? nullptr
    : activation_store + row_slot(r, row_tokens, first_position, store_capacity) * HIDDEN;
#pragma unroll
for (int e = 0; e < NORM_COLUMNS; ++e)
{
    const int i = e * ROW_THREADS + threadIdx.x;
    if (i >= HIDDEN)
        break;
    const elem_t y = to_elem({{normalised}});
    out_row[i] = y;
    if (stored_row != nullptr)
        stored_row[i] = y;
}
""");
        }
    }
}
