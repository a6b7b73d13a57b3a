using System;
using Kvpr.Backend;

namespace Kvpr.Execution
{
    /// <summary>
    /// Every layer's weights in copy-ready host memory (pinned on CUDA), converted once to the device's element type
    /// in the backend's <see cref="LayerLayout"/>: resident layers are uploaded from here when a generation allocates its buffers,
    /// streamed layers cross from here into a weight slot at every step. Lives as long as the engine.
    /// </summary>
    internal sealed class HostWeights
    {
        private readonly IHostBuffer?[][] _layers;

        public HostWeights(IDevice device, ModelWeights weights, LayerLayout layout)
        {
            Layout = layout;
            var spec = weights.Spec;
            _layers = new IHostBuffer?[spec.Layers][];
            float[] values = Array.Empty<float>();
            for (int layer = 0; layer < spec.Layers; layer++)
            {
                _layers[layer] = new IHostBuffer?[layout.Tensors.Count];
                for (int t = 0; t < layout.Tensors.Count; t++)
                {
                    if (layout.Parts(weights, layer, t) is not IWeightTensor[] parts)
                        continue;
                    long total = 0;
                    foreach (var part in parts)
                        total += part.Elements();
                    var buffer = device.AllocateHost(total);
                    long offset = 0;
                    foreach (var part in parts)
                    {
                        int elements = checked((int)part.Elements());
                        if (values.Length < elements)
                            values = new float[elements];
                        part.CopyToSingle(values.AsSpan(0, elements));
                        device.WriteHost(buffer, offset, values.AsSpan(0, elements));
                        offset += elements;
                    }
                    _layers[layer][t] = buffer;
                }
            }
            foreach (var tensor in spec.Layers > 0 ? _layers[0] : [])
                LayerElements += tensor?.Length ?? 0;
        }

        public LayerLayout Layout { get; }

        /// <summary>The elements of one layer's tensors together (every layer has the same shapes).</summary>
        public long LayerElements { get; }

        /// <summary>Tensor <paramref name="index"/> of <paramref name="layer"/>, null where the model has none.</summary>
        public IHostBuffer? Tensor(int layer, int index) => _layers[layer][index];
    }
}
