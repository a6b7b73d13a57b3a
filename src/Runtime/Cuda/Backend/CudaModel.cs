using System;
using System.Collections.Generic;
using System.Linq;
using Kvpr.Execution;
using Kvpr.Kernels;

namespace Kvpr.Runtime.Cuda.Backend
{
    /// <summary>
    /// A model on the GPU: its weights converted once to the kernels' layout (<see cref="CudaLayerWeights"/>) and the
    /// kernels it was given (a blueprint's, or the ones emitted for its spec) compiled and loaded. Memory belongs to the device.
    /// </summary>
    internal sealed class CudaModel : IDeviceModel
    {
        private readonly CudaComputeDevice _device;
        private readonly WeightUploader _uploader;
        private readonly Dictionary<IWeightTensor, CudaTensor> _single = new();

        public CudaModel(CudaComputeDevice device, ModelWeights weights, KernelSet kernels)
        {
            _device = device;
            Spec = weights.Spec;
            Kernels = new EmittedKernels(device, kernels);
            using (_uploader = new WeightUploader(device.Cuda))
            {
                TokenEmbedding = Single(weights.Get(WeightMapRole.TokenEmbedding));
                PositionEmbedding = Optional(weights.Find(WeightMapRole.PositionEmbedding));
                FinalNorm = Single(weights.Get(WeightMapRole.FinalNormWeight));
                FinalNormBias = Optional(weights.Find(WeightMapRole.FinalNormBias));
                LmHead = Single(weights.Get(WeightMapRole.LmHead));
                Layers = Enumerable.Range(0, Spec.Layers).Select(layer => UploadLayer(weights, layer)).ToArray();
            }
        }

        public ModelSpec Spec { get; }
        public EmittedKernels Kernels { get; }
        public CudaTensor TokenEmbedding { get; }
        public CudaTensor? PositionEmbedding { get; }
        public CudaTensor FinalNorm { get; }
        public CudaTensor? FinalNormBias { get; }
        public CudaTensor LmHead { get; }
        public IReadOnlyList<CudaLayerWeights> Layers { get; }

        public ILayerCompute CreateCompute(StepBuffers buffers) => new CudaLayerCompute(_device, this, buffers);

        private CudaLayerWeights UploadLayer(ModelWeights weights, int layer)
        {
            IWeightTensor Get(WeightMapRole role) => weights.Get(role, layer);
            IWeightTensor? Find(WeightMapRole role) => weights.Find(role, layer);
            var (up, upBias) = Spec.GatedMlp
                ? (Stacked(Get(WeightMapRole.GateWeight), Get(WeightMapRole.UpWeight)), StackedOptional(Find(WeightMapRole.GateBias), Find(WeightMapRole.UpBias)))
                : (Single(Get(WeightMapRole.UpWeight)), Optional(Find(WeightMapRole.UpBias)));
            return new CudaLayerWeights(
                Single(Get(WeightMapRole.AttentionNormWeight)), Optional(Find(WeightMapRole.AttentionNormBias)),
                Stacked(Get(WeightMapRole.QueryWeight), Get(WeightMapRole.KeyWeight), Get(WeightMapRole.ValueWeight)),
                StackedOptional(Find(WeightMapRole.QueryBias), Find(WeightMapRole.KeyBias), Find(WeightMapRole.ValueBias)),
                Single(Get(WeightMapRole.AttentionOutputWeight)), Optional(Find(WeightMapRole.AttentionOutputBias)),
                Single(Get(WeightMapRole.MlpNormWeight)), Optional(Find(WeightMapRole.MlpNormBias)),
                up, upBias,
                Single(Get(WeightMapRole.DownWeight)), Optional(Find(WeightMapRole.DownBias)));
        }

        /// <summary>One tensor as is; a tensor used twice (a tied LM head) is uploaded once.</summary>
        private CudaTensor Single(IWeightTensor weight)
        {
            if (!_single.TryGetValue(weight, out var tensor))
                _single.Add(weight, tensor = Stacked(weight));
            return tensor;
        }

        private CudaTensor? Optional(IWeightTensor? weight) => weight is null ? null : Single(weight);

        /// <summary>Tensors one after another in one buffer: rows of W_q, W_k, W_v (or their biases) in that order.</summary>
        private CudaTensor Stacked(params IWeightTensor[] parts)
        {
            var sizes = parts.Select(p => p.Shape.Aggregate(1L, (a, d) => a * d)).ToArray();
            var tensor = _device.Allocate(sizes.Sum(), _device.ElementType);
            long offset = 0;
            for (int i = 0; i < parts.Length; i++)
            {
                _uploader.Upload(parts[i], tensor, offset);
                offset += sizes[i];
            }
            return tensor;
        }

        /// <summary>Stacked biases: all or none, as the kernels take one stacked bias or none.</summary>
        private CudaTensor? StackedOptional(params IWeightTensor?[] parts)
        {
            if (parts.All(p => p is null))
                return null;
            if (parts.Any(p => p is null))
                throw new NotSupportedException($"Model '{Spec.Name}' has biases for only some of {string.Join(", ", parts.Where(p => p is not null).Select(p => p!.Name))} and the projections stacked with them; the CUDA kernels take all or none.");
            return Stacked(parts!);
        }
    }
}
