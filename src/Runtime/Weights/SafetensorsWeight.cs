using System;
using System.Collections.Generic;
using Kvpr.Checkpoints;

namespace Kvpr
{
    /// <summary>A checkpoint tensor as a weight: valid while its <see cref="Checkpoint"/> is open.</summary>
    internal sealed class SafetensorsWeight : IWeightTensor
    {
        private readonly SafetensorsTensor _tensor;

        public SafetensorsWeight(SafetensorsTensor tensor) => _tensor = tensor;

        public string Name => $"{_tensor.File.Path}: {_tensor.Name}";

        public IReadOnlyList<long> Shape => _tensor.Shape;

        public void CopyToSingle(Span<float> destination) => _tensor.CopyToSingle(destination);

        public void CopyRangeToSingle(long start, Span<float> destination) => _tensor.CopyRangeToSingle(start, destination);
    }
}
