using System.Collections.Generic;
using Kvpr.Backend;

namespace Kvpr.Execution
{
    /// <summary>
    /// A model's outer weights (embeddings, final norm, head) uploaded to a device once, tensor by tensor; its layers
    /// one tensor per role (<see cref="LayerLayout.PerRole"/>); computed with the device's unfused ops.
    /// </summary>
    internal sealed class DeviceWeights : IDeviceModel
    {
        private static readonly WeightMapRole[] OuterRoles =
            [WeightMapRole.TokenEmbedding, WeightMapRole.PositionEmbedding, WeightMapRole.FinalNormWeight, WeightMapRole.FinalNormBias, WeightMapRole.LmHead];

        private readonly ModelWeights _weights;
        private readonly Dictionary<IWeightTensor, IDeviceBuffer> _uploaded = new();
        private readonly IDevice _device;
        private readonly IDeviceOps _ops;
        private readonly bool _ownsResidual;

        /// <param name="ownsResidual">
        /// False for a tensor-parallel rank other than <see cref="Parallelism.TensorParallel.ResidualOwner"/>: its blocks write their
        /// partial outputs alone, for the all-reduce to add to the owner's residual.
        /// </param>
        public DeviceWeights(IDevice device, IDeviceOps ops, ModelWeights weights, bool ownsResidual = true)
        {
            _device = device;
            _ops = ops;
            _weights = weights;
            _ownsResidual = ownsResidual;
            foreach (var role in OuterRoles)
                if (weights.Find(role) is IWeightTensor tensor)
                    Upload(tensor);
        }

        public LayerLayout Layout => LayerLayout.PerRole;

        public ILayerCompute CreateCompute(StepBuffers buffers) => new UnfusedLayerCompute(_device, _ops, _weights.Spec, this, buffers, _ownsResidual);

        public IDeviceBuffer Get(WeightMapRole role) => _uploaded[_weights.Get(role)];

        public IDeviceBuffer? Find(WeightMapRole role) => _weights.Find(role) is IWeightTensor tensor ? _uploaded[tensor] : null;

        // A tied head is the embedding tensor itself: upload it once.
        private void Upload(IWeightTensor tensor)
        {
            if (!_uploaded.ContainsKey(tensor))
                _uploaded.Add(tensor, _device.Upload(tensor));
        }
    }
}
