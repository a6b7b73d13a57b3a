using System;
using System.Collections.Generic;
using System.Numerics.Tensors;

namespace Kvpr
{
    /// <summary>An fp16 weight tensor held in memory (seeded random weights, tests).</summary>
    public sealed class HalfTensor : IWeightTensor
    {
        private readonly Half[] _values;

        public HalfTensor(string name, IReadOnlyList<long> shape, Half[] values)
        {
            long elements = 1;
            foreach (long d in shape)
                elements *= d;
            if (elements != values.Length)
                throw new ArgumentException($"Tensor '{name}' has shape [{string.Join(", ", shape)}] ({elements} elements) but {values.Length} values.", nameof(values));
            Name = name;
            Shape = shape;
            _values = values;
        }

        public string Name { get; }

        public IReadOnlyList<long> Shape { get; }

        public void CopyToSingle(Span<float> destination)
        {
            if (destination.Length != _values.Length)
                throw new ArgumentException($"Tensor '{Name}' has {_values.Length} elements, but the destination holds {destination.Length}.", nameof(destination));
            TensorPrimitives.ConvertToSingle(_values, destination);
        }
    }
}
