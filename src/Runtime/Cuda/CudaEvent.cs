using System;
using Kvpr.Runtime.Cuda.Native;

namespace Kvpr.Runtime.Cuda
{
    /// <summary>A marker in a stream: for ordering work across streams and for timing it on the device's clock.</summary>
    public sealed class CudaEvent : IDisposable
    {
        internal CudaEvent(CudaEventHandle handle) => Handle = handle;

        public CudaEventHandle Handle { get; }
        internal IntPtr Raw => Handle.DangerousGetHandle();

        public void Synchronize() => CuDriver.Check(CuDriver.cuEventSynchronize(Raw), nameof(CuDriver.cuEventSynchronize));

        /// <summary>Device time from <paramref name="start"/> to <paramref name="end"/>, both recorded and completed.</summary>
        public static double ElapsedSeconds(CudaEvent start, CudaEvent end)
        {
            end.Synchronize();
            CuDriver.Check(CuDriver.cuEventElapsedTime(out float milliseconds, start.Raw, end.Raw), nameof(CuDriver.cuEventElapsedTime));
            return milliseconds / 1e3;
        }

        public void Dispose() => Handle.Dispose();
    }
}
