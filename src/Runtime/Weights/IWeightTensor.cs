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

        /// <summary>
        /// Converts elements [<paramref name="start"/>, <paramref name="start"/> + length) in row-major order to fp32 into
        /// <paramref name="destination"/>: a tensor-parallel rank's rows. By default the whole tensor is converted and the
        /// range copied; a source that can read a part alone (a checkpoint) does.
        /// </summary>
        void CopyRangeToSingle(long start, Span<float> destination)
        {
            ElementRange.Require(Name, this.Elements(), start, destination.Length);
            var whole = new float[checked((int)this.Elements())];
            CopyToSingle(whole);
            whole.AsSpan(checked((int)start), destination.Length).CopyTo(destination);
        }
    }
}
