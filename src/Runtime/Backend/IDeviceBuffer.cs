namespace Kvpr.Backend
{
    /// <summary>
    /// Device memory of one element type chosen by the device (fp32 on the CPU backend, fp16 on CUDA),
    /// addressed in elements. Freed with its device.
    /// </summary>
    public interface IDeviceBuffer
    {
        long Length { get; }
    }
}
