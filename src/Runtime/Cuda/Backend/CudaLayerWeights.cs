using Kvpr.Execution;

namespace Kvpr.Runtime.Cuda.Backend
{
    /// <summary>
    /// One layer's weights in the kernels' layout (<see cref="Layout"/>): W_qkv = [W_q; W_k; W_v] stacked so one GEMM
    /// serves a new token (its last 2·kvDim rows, W_kv, serve recompute), and for gated MLPs W_gate_up = [W_gate; W_up].
    /// A view of a resident layer or a weight slot; biases are null where the model has none.
    /// </summary>
    internal readonly struct CudaLayerWeights(LayerWeights weights)
    {
        /// <summary>The tensors of a layer, in the order of the properties below.</summary>
        public static LayerLayout Layout(ModelSpec spec) => new(
        [
            [WeightMapRole.AttentionNormWeight], [WeightMapRole.AttentionNormBias],
            [WeightMapRole.QueryWeight, WeightMapRole.KeyWeight, WeightMapRole.ValueWeight], [WeightMapRole.QueryBias, WeightMapRole.KeyBias, WeightMapRole.ValueBias],
            [WeightMapRole.AttentionOutputWeight], [WeightMapRole.AttentionOutputBias],
            [WeightMapRole.MlpNormWeight], [WeightMapRole.MlpNormBias],
            spec.GatedMlp ? new[] { WeightMapRole.GateWeight, WeightMapRole.UpWeight } : new[] { WeightMapRole.UpWeight },
            spec.GatedMlp ? new[] { WeightMapRole.GateBias, WeightMapRole.UpBias } : new[] { WeightMapRole.UpBias },
            [WeightMapRole.DownWeight], [WeightMapRole.DownBias],
        ]);

        public CudaTensor AttentionNorm => Required(0);
        public CudaTensor? AttentionNormBias => Optional(1);
        public CudaTensor Qkv => Required(2);
        public CudaTensor? QkvBias => Optional(3);
        public CudaTensor Output => Required(4);
        public CudaTensor? OutputBias => Optional(5);
        public CudaTensor MlpNorm => Required(6);
        public CudaTensor? MlpNormBias => Optional(7);
        public CudaTensor Up => Required(8);
        public CudaTensor? UpBias => Optional(9);
        public CudaTensor Down => Required(10);
        public CudaTensor? DownBias => Optional(11);

        private CudaTensor Required(int index) => CudaTensor.Of(weights[index]!);

        private CudaTensor? Optional(int index) => weights[index] is { } tensor ? CudaTensor.Of(tensor) : null;
    }
}
