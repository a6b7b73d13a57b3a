using System.Collections.Generic;

namespace Kvpr.Kernels.Emission
{
    /// <summary>The MLP's elementwise middle: bias + activation (OPT) or the gated activation act(gate) * up (Llama).</summary>
    internal static class MlpKernels
    {
        public static void Emit(ModelSpec spec, CudaSourceBuilder source)
        {
            source.Section("MLP activation");
            source.Code(ActivationFunction(spec.Activation));
            if (spec.GatedMlp)
                EmitGated(spec, source);
            else
                EmitPlain(spec, source);
        }

        private static string ActivationFunction(Activation activation) => activation switch
        {
            Activation.Relu => """
// ReLU
__device__ __forceinline__ float activation(float x) { return fmaxf(x, 0.0f); }
""",
            Activation.Gelu => """
// GELU, exact (erf) form as Hugging Face's "gelu"
__device__ __forceinline__ float activation(float x) { return 0.5f * x * (1.0f + erff(x * 0.70710678118654752f)); }
""",
            _ => """
// SiLU (swish): x * sigmoid(x)
__device__ __forceinline__ float activation(float x) { return x / (1.0f + expf(-x)); }
""",
        };

        private static void EmitPlain(ModelSpec spec, CudaSourceBuilder source)
        {
            var parameters = new List<KernelParameter> { new("elem_t*", "x", "[rows][FFN] in: x.W_fc1^T (GEMM output, no bias); out: activated") };
            if (spec.MlpBias)
                parameters.Add(new("const elem_t*", "bias", "[FFN] b_fc1"));
            string argument = spec.MlpBias ? "to_float(row[i]) + to_float(bias[i])" : "to_float(row[i])";
            source.RowTileKernel(
                KernelNames.MlpActivation, $"In place: x = activation(x{(spec.MlpBias ? " + bias" : "")}), activation = {spec.Activation}.",
                parameters, spec.FfnHidden,
                $$"""
elem_t* row = x + (long long)blockIdx.x * FFN;
{{RowTileLoop.Over("FFN", $"row[i] = to_elem(activation({argument}));")}}
""");
        }

        private static void EmitGated(ModelSpec spec, CudaSourceBuilder source)
        {
            var parameters = new List<KernelParameter> { new("const elem_t*", "gate_up", "[rows][2 * FFN] gate | up = x.W_gate_up^T (GEMM output)") };
            if (spec.MlpBias)
                parameters.Add(new("const elem_t*", "gate_up_bias", "[2 * FFN] b_gate | b_up"));
            parameters.Add(new("elem_t*", "out", "[rows][FFN] out: the W_down GEMM's input"));
            string gate = spec.MlpBias ? "to_float(row[i]) + to_float(gate_up_bias[i])" : "to_float(row[i])";
            string up = spec.MlpBias ? "to_float(row[FFN + i]) + to_float(gate_up_bias[FFN + i])" : "to_float(row[FFN + i])";
            source.RowTileKernel(
                KernelNames.MlpGatedActivation, $"Gated MLP middle: out = activation(gate) * up, activation = {spec.Activation}.",
                parameters, spec.FfnHidden,
                $$"""
const elem_t* row = gate_up + (long long)blockIdx.x * 2 * FFN;
elem_t* out_row = out + (long long)blockIdx.x * FFN;
{{RowTileLoop.Over("FFN", $"out_row[i] = to_elem(activation({gate}) * ({up}));")}}
""");
        }
    }
}
