namespace Kvpr.Backend
{
    /// <summary>
    /// Host memory a device can copy to and from asynchronously (pinned on CUDA, an ordinary array on the
    /// CPU backend), addressed in elements of the device's element type.
    /// </summary>
    public interface IHostBuffer
    {
        long Length { get; }
    }
}
