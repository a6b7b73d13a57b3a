using System;
using Kvpr.Graphs;
using Kvpr.Backend;

namespace Kvpr.Execution
{
    /// <summary>
    /// One layer's weights on the device in the backend's <see cref="LayerLayout"/>: a resident layer, or a weight slot
    /// that streamed layers are copied into one after another.
    /// </summary>
    internal sealed class LayerWeights
    {
        private readonly IDeviceBuffer?[] _tensors;

        /// <summary>Device tensors shaped like <paramref name="layer"/>'s host copy (every layer has the same shapes).</summary>
        public LayerWeights(IDevice device, HostWeights host, int layer)
        {
            _tensors = new IDeviceBuffer?[host.Layout.Tensors.Count];
            for (int t = 0; t < _tensors.Length; t++)
                if (host.Tensor(layer, t) is IHostBuffer source)
                    _tensors[t] = device.Allocate(source.Length);
        }

        /// <summary>Tensor <paramref name="index"/> of the layout; null where the model has none (a Llama bias).</summary>
        public IDeviceBuffer? this[int index] => _tensors[index];

        /// <summary>Queues the copy of all of <paramref name="layer"/>'s weights from the host into these tensors; returns the elements copied.</summary>
        public long Load(IDevice device, IStream stream, HostWeights host, int layer) => Load(device, stream, host, layer, WeightPart.Whole);

        /// <summary>
        /// Queues the copy of <paramref name="part"/> of <paramref name="layer"/>'s weights (a run of the layer's elements
        /// across its tensors, in layout order) from the host into these tensors; returns the elements copied.
        /// </summary>
        public long Load(IDevice device, IStream stream, HostWeights host, int layer, WeightPart part)
        {
            var (start, end) = part.Range(host.LayerElements);
            long tensorStart = 0;
            for (int t = 0; t < _tensors.Length && tensorStart < end; t++)
            {
                if (host.Tensor(layer, t) is not IHostBuffer source)
                    continue;
                long from = Math.Max(start, tensorStart) - tensorStart, to = Math.Min(end, tensorStart + source.Length) - tensorStart;
                if (to > from)
                    device.CopyToDevice(stream, source, _tensors[t]!, new BlockCopy(from, to - from, from, to - from, to - from, 1));
                tensorStart += source.Length;
            }
            return end - start;
        }
    }
}
