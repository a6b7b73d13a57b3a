using System;
using System.Collections.Generic;

namespace Kvpr
{
    /// <summary>A weight tensor wherever it lives (a mapped checkpoint, memory): its name, shape and values as fp32.</summary>
    public interface IWeightTensor
    {
        /// <summary>The tensor's name in its source (a Hugging Face name), for error messages.</summary>
        string Name { get; }

        IReadOnlyList<long> Shape { get; }

        /// <summary>Converts every element to fp32 into <paramref name="destination"/>, which holds exactly the tensor's elements.</summary>
        void CopyToSingle(Span<float> destination);
    }
}
