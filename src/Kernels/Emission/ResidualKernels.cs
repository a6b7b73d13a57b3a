using System.Collections.Generic;

namespace Kvpr.Kernels.Emission
{
    /// <summary>
    /// Adds a sublayer's output GEMM (W_o or the MLP's down projection) to the float residual stream, with the
    /// projection's bias where the model has one: residual_add_bias where either sublayer has an output bias,
    /// residual_add where either has none.
    /// </summary>
    internal static class ResidualKernels
    {
        public static void Emit(ModelSpec spec, CudaSourceBuilder source)
        {
            source.Section("Residual connections");
            if (!spec.AttentionOutputBias || !spec.MlpBias)
                EmitKernel(spec, source, withBias: false);
            if (spec.AttentionOutputBias || spec.MlpBias)
                EmitKernel(spec, source, withBias: true);
        }

        private static void EmitKernel(ModelSpec spec, CudaSourceBuilder source, bool withBias)
        {
            var parameters = new List<KernelParameter>
            {
                new("float*", "hidden", "[rows][HIDDEN] residual stream, updated in place"),
                new("const elem_t*", "x", "[rows][HIDDEN] the sublayer's output GEMM (no bias)"),
            };
            if (withBias)
                parameters.Add(new("const elem_t*", "bias", "[HIDDEN] the output projection's bias"));
            string sum = withBias ? "to_float(x_row[i]) + to_float(bias[i])" : "to_float(x_row[i])";
            source.RowTileKernel(
                withBias ? KernelNames.ResidualAddBias : KernelNames.ResidualAdd, withBias ? "hidden += x + bias." : "hidden += x.",
                parameters, spec.Hidden,
                $$"""
float* hidden_row = hidden + (long long)blockIdx.x * HIDDEN;
const elem_t* x_row = x + (long long)blockIdx.x * HIDDEN;
{{RowTileLoop.Over("HIDDEN", $"hidden_row[i] += {sum};")}}
""");
        }
    }
}
