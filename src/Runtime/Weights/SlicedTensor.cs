using System;
using System.Collections.Generic;
using Kvpr.Parallelism;

namespace Kvpr
{
    /// <summary>A tensor-parallel rank's rows or columns of a weight (<see cref="WeightSlice"/>), read from the whole tensor.</summary>
    internal sealed class SlicedTensor : IWeightTensor
    {
        private readonly IWeightTensor _source;
        private readonly WeightSlice _slice;

        public SlicedTensor(IWeightTensor source, WeightSlice slice)
        {
            var shape = source.Shape;
            bool columns = slice.Split == WeightSplit.InputColumns;
            if (slice.IsWhole || (columns ? shape.Count != 2 : shape.Count is < 1 or > 2))
                throw new ArgumentException($"Tensor '{source.Name}' of shape [{string.Join(", ", shape)}] has no {slice}.", nameof(slice));
            long extent = columns ? shape[1] : shape[0];
            if (slice.Start < 0 || slice.Count < 1 || slice.Start + slice.Count > extent)
                throw new ArgumentOutOfRangeException(nameof(slice), slice, $"Tensor '{source.Name}' of shape [{string.Join(", ", shape)}] has no {slice}.");
            _source = source;
            _slice = slice;
            Shape = columns ? new[] { shape[0], slice.Count } : shape.Count == 1 ? new long[] { slice.Count } : new[] { slice.Count, shape[1] };
        }

        public string Name => $"{_source.Name} {_slice}";

        public IReadOnlyList<long> Shape { get; }

        public void CopyToSingle(Span<float> destination)
        {
            if (destination.Length != this.Elements())
                throw new ArgumentException($"Tensor '{Name}' has {this.Elements()} elements, but the destination holds {destination.Length}.", nameof(destination));
            int inner = _source.Shape.Count == 2 ? checked((int)_source.Shape[1]) : 1;
            if (_slice.Split == WeightSplit.OutputRows)
            {
                // A rank's rows are one run of the row-major tensor: a checkpoint reads and converts them alone.
                _source.CopyRangeToSingle((long)_slice.Start * inner, destination);
                return;
            }
            var whole = new float[checked((int)_source.Elements())];
            _source.CopyToSingle(whole);
            for (int row = 0; row < Shape[0]; row++)
                whole.AsSpan(row * inner + _slice.Start, _slice.Count).CopyTo(destination.Slice(row * _slice.Count, _slice.Count));
        }
    }
}
