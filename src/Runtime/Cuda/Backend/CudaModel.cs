using System.Collections.Generic;
using Kvpr.Execution;
using Kvpr.Kernels;

namespace Kvpr.Runtime.Cuda.Backend
{
    /// <summary>
    /// A model on the GPU: its outer weights uploaded once, its layers' layout (<see cref="CudaLayerWeights"/>: the
    /// host copies, resident layers and weight slots follow it) and its generated kernels compiled and loaded.
    /// Memory belongs to the device.
    /// </summary>
    internal sealed class CudaModel : IDeviceModel
    {
        private readonly CudaComputeDevice _device;
        private readonly Dictionary<IWeightTensor, CudaTensor> _single = new();

        public CudaModel(CudaComputeDevice device, ModelWeights weights)
        {
            _device = device;
            Spec = weights.Spec;
            Kernels = new EmittedKernels(device, KernelEmitter.Emit(Spec));
            Layout = CudaLayerWeights.Layout(Spec);
            TokenEmbedding = Single(weights.Get(WeightMapRole.TokenEmbedding));
            PositionEmbedding = Optional(weights.Find(WeightMapRole.PositionEmbedding));
            FinalNorm = Single(weights.Get(WeightMapRole.FinalNormWeight));
            FinalNormBias = Optional(weights.Find(WeightMapRole.FinalNormBias));
            LmHead = Single(weights.Get(WeightMapRole.LmHead));
        }

        public ModelSpec Spec { get; }
        public EmittedKernels Kernels { get; }
        public CudaTensor TokenEmbedding { get; }
        public CudaTensor? PositionEmbedding { get; }
        public CudaTensor FinalNorm { get; }
        public CudaTensor? FinalNormBias { get; }
        public CudaTensor LmHead { get; }
        public LayerLayout Layout { get; }

        public ILayerCompute CreateCompute(StepBuffers buffers) => new CudaLayerCompute(_device, this, buffers);

        /// <summary>One tensor as is; a tensor used twice (a tied LM head) is uploaded once.</summary>
        private CudaTensor Single(IWeightTensor weight)
        {
            if (!_single.TryGetValue(weight, out var tensor))
                _single.Add(weight, tensor = CudaTensor.Of(_device.Upload(weight)));
            return tensor;
        }

        private CudaTensor? Optional(IWeightTensor? weight) => weight is null ? null : Single(weight);
    }
}
