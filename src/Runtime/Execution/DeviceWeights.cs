using System.Collections.Generic;
using Kvpr.Backend;

namespace Kvpr.Execution
{
    /// <summary>
    /// A model's weights uploaded to a device once, tensor by tensor, looked up by role and layer like
    /// <see cref="ModelWeights"/>; computed with the device's unfused ops.
    /// </summary>
    internal sealed class DeviceWeights : IDeviceModel
    {
        private readonly ModelWeights _weights;
        private readonly Dictionary<IWeightTensor, IDeviceBuffer> _uploaded = new();
        private readonly IDevice _device;
        private readonly IDeviceOps _ops;

        public DeviceWeights(IDevice device, IDeviceOps ops, ModelWeights weights)
        {
            _device = device;
            _ops = ops;
            _weights = weights;
            foreach (var entry in WeightMap.For(weights.Spec).Entries)
                Upload(weights.Get(entry.Role, entry.Layer));
        }

        public ILayerCompute CreateCompute(StepBuffers buffers) => new UnfusedLayerCompute(_device, _ops, _weights.Spec, this, buffers);

        public IDeviceBuffer Get(WeightMapRole role, int? layer = null) => _uploaded[_weights.Get(role, layer)];

        public IDeviceBuffer? Find(WeightMapRole role, int? layer = null) => _weights.Find(role, layer) is IWeightTensor tensor ? _uploaded[tensor] : null;

        // A tied head is the embedding tensor itself: upload it once.
        private void Upload(IWeightTensor tensor)
        {
            if (!_uploaded.ContainsKey(tensor))
                _uploaded.Add(tensor, _device.Upload(tensor));
        }
    }
}
