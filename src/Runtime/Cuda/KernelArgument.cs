using System;

namespace Kvpr.Runtime.Cuda
{
    /// <summary>
    /// One kernel parameter by value: a device address or a 32/64-bit scalar, held in the low bytes of 64 bits
    /// (little-endian, so a pointer to the slot is a pointer to the value whatever its size).
    /// </summary>
    public readonly struct KernelArgument
    {
        private KernelArgument(ulong bits) => Bits = bits;

        internal ulong Bits { get; }

        public static implicit operator KernelArgument(int value) => new((uint)value);
        public static implicit operator KernelArgument(uint value) => new(value);
        public static implicit operator KernelArgument(long value) => new((ulong)value);
        public static implicit operator KernelArgument(ulong value) => new(value);
        public static implicit operator KernelArgument(float value) => new((uint)BitConverter.SingleToInt32Bits(value));
        public static implicit operator KernelArgument(DeviceBuffer buffer) => new(buffer.Address);
    }
}
