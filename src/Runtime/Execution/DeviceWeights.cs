using System.Collections.Generic;
using Kvpr.Backend;

namespace Kvpr.Execution
{
    /// <summary>A model's weights uploaded to a device once, looked up by role and layer like <see cref="ModelWeights"/>.</summary>
    internal sealed class DeviceWeights
    {
        private readonly ModelWeights _weights;
        private readonly Dictionary<IWeightTensor, IDeviceBuffer> _uploaded = new();
        private readonly IDevice _device;

        public DeviceWeights(IDevice device, ModelWeights weights)
        {
            _device = device;
            _weights = weights;
            foreach (var entry in WeightMap.For(weights.Spec).Entries)
                Upload(weights.Get(entry.Role, entry.Layer));
        }

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
