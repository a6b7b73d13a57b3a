using System;
using Kvpr.Runtime.Cuda;

namespace Kvpr.Runtime.Tests.Cuda;

public class DeviceReferenceTests
{
    [Fact]
    public void The_reference_product_is_x_times_w_transposed()
    {
        // x = [[1, 2], [3, 4]], W = [[1, 0], [1, 1], [0, 2]]: y = x·Wᵀ = [[1, 3, 4], [3, 7, 8]].
        var x = new[] { (Half)1, (Half)2, (Half)3, (Half)4 };
        var w = new[] { (Half)1, (Half)0, (Half)1, (Half)1, (Half)0, (Half)2 };

        DeviceReference.MultiplyTransposed(x, w, m: 2, n: 3, k: 2).ShouldBe(new double[] { 1, 3, 4, 3, 7, 8 });
    }

    [Fact]
    public void Relative_error_is_the_ratio_of_norms_and_never_passes_NaN()
    {
        DeviceReference.RelativeError(new double[] { 3, 4 }, new double[] { 3, 4 }).ShouldBe(0);
        DeviceReference.RelativeError(new double[] { 0, 4 }, new double[] { 3, 4 }).ShouldBe(3.0 / 5, 1e-15);
        DeviceReference.RelativeError(new double[] { double.NaN, 4 }, new double[] { 3, 4 }).ShouldBe(double.PositiveInfinity);
    }

    [Fact]
    public void Kernel_arguments_keep_the_bit_pattern_in_the_low_bytes()
    {
        ((KernelArgument)1.5f).Bits.ShouldBe((ulong)BitConverter.SingleToUInt32Bits(1.5f));
        ((KernelArgument)(-1)).Bits.ShouldBe(0xFFFF_FFFFUL);
        ((KernelArgument)(1L << 40)).Bits.ShouldBe(1UL << 40);
    }
}
