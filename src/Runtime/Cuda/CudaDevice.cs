using System;
using Kvpr.Runtime.Cuda.Native;

namespace Kvpr.Runtime.Cuda
{
    /// <summary>
    /// One GPU with its primary context made current on the opening thread: what it is, and the factory for
    /// its memory, streams, events and modules. Opening it is the first thing that loads the CUDA driver.
    /// </summary>
    public sealed unsafe class CudaDevice : IDisposable
    {
        private CudaDevice(int ordinal, int device)
        {
            Ordinal = ordinal;
            Name = CuDriver.ReadString((buffer, length) => CuDriver.cuDeviceGetName((byte*)buffer, length, device), nameof(CuDriver.cuDeviceGetName));
            PciBusId = CuDriver.ReadString((buffer, length) => CuDriver.cuDeviceGetPCIBusId((byte*)buffer, length, device), nameof(CuDriver.cuDeviceGetPCIBusId));
            ComputeCapability = new Version(Attribute(device, CuDriver.AttributeComputeCapabilityMajor), Attribute(device, CuDriver.AttributeComputeCapabilityMinor));
            MultiprocessorCount = Attribute(device, CuDriver.AttributeMultiprocessorCount);
            CuDriver.Check(CuDriver.cuDeviceTotalMem_v2(out var total, device), nameof(CuDriver.cuDeviceTotalMem_v2));
            TotalMemoryBytes = (long)total;
            Context = CudaContextHandle.RetainPrimary(device);
            Context.MakeCurrent();
        }

        public int Ordinal { get; }
        public string Name { get; }
        /// <summary>The PCI address (domain:bus:device.function), e.g. for reading the link's speed from sysfs.</summary>
        public string PciBusId { get; }
        public Version ComputeCapability { get; }
        /// <summary>The NVRTC/ptxas name of the device's architecture, e.g. <c>sm_90</c>.</summary>
        public string Architecture => $"sm_{ComputeCapability.Major}{ComputeCapability.Minor}";
        public int MultiprocessorCount { get; }
        public long TotalMemoryBytes { get; }
        public CudaContextHandle Context { get; }

        /// <summary>The driver's CUDA version, e.g. 13.0.</summary>
        public static Version DriverVersion
        {
            get
            {
                Initialize();
                CuDriver.Check(CuDriver.cuDriverGetVersion(out int version), nameof(CuDriver.cuDriverGetVersion));
                return new Version(version / 1000, version % 1000 / 10);
            }
        }

        /// <summary>How many GPUs the driver sees (0 when it runs but finds none).</summary>
        /// <exception cref="CudaUnavailableException">No driver is installed, or it cannot start.</exception>
        public static int Count()
        {
            if (!Initialize())
                return 0;
            CuDriver.Check(CuDriver.cuDeviceGetCount(out int count), nameof(CuDriver.cuDeviceGetCount));
            return count;
        }

        /// <exception cref="CudaUnavailableException">No driver, no GPU, or no GPU with this ordinal; the message is one sentence.</exception>
        public static CudaDevice Open(int ordinal = 0)
        {
            int count = Count();
            if (count == 0)
                throw new CudaUnavailableException($"The CUDA driver ({CudaLibraries.PathOf(CudaLibrary.Driver)}) found no GPU, so the CUDA device cannot be used on this machine.");
            if (ordinal < 0 || ordinal >= count)
                throw new CudaUnavailableException($"There is no CUDA device {ordinal}: the driver sees {count} GPU(s), numbered 0 to {count - 1}.");
            CuDriver.Check(CuDriver.cuDeviceGet(out int device, ordinal), nameof(CuDriver.cuDeviceGet));
            return new CudaDevice(ordinal, device);
        }

        /// <summary>Makes the device's context current on the calling thread; needed once on every thread that uses it.</summary>
        public void MakeCurrent() => Context.MakeCurrent();

        public void Synchronize() => CuDriver.Check(CuDriver.cuCtxSynchronize(), nameof(CuDriver.cuCtxSynchronize));

        public (long FreeBytes, long TotalBytes) MemoryInfo()
        {
            CuDriver.Check(CuDriver.cuMemGetInfo_v2(out var free, out var total), nameof(CuDriver.cuMemGetInfo_v2));
            return ((long)free, (long)total);
        }

        public DeviceBuffer AllocateDevice(long bytes)
        {
            RequirePositive(bytes);
            CuDriver.Check(CuDriver.cuMemAlloc_v2(out ulong address, (nuint)bytes), nameof(CuDriver.cuMemAlloc_v2));
            return new DeviceBuffer(new DeviceMemoryHandle(Context, address), bytes);
        }

        /// <summary>
        /// Page-locked host memory: copies from it run at full PCIe speed and can overlap kernels. Large blocks (the
        /// host KV store) are huge-page memory where the system has it (<see cref="HugePageMemoryHandle"/>).
        /// </summary>
        public PinnedBuffer AllocatePinned(long bytes)
        {
            RequirePositive(bytes);
            if (HugePageMemoryHandle.TryAllocate(Context, bytes) is HugePageMemoryHandle huge)
                return new PinnedBuffer(huge, bytes);
            CuDriver.Check(CuDriver.cuMemHostAlloc(out var pointer, (nuint)bytes, 0), nameof(CuDriver.cuMemHostAlloc));
            return new PinnedBuffer(new PinnedMemoryHandle(Context, pointer), bytes);
        }

        /// <summary>A stream that does not synchronise with the legacy default stream.</summary>
        public CudaStream CreateStream()
        {
            CuDriver.Check(CuDriver.cuStreamCreate(out var stream, CuDriver.StreamNonBlocking), nameof(CuDriver.cuStreamCreate));
            return new CudaStream(new CudaStreamHandle(Context, stream));
        }

        /// <summary>An event that notes the device time it fires at, for <see cref="CudaEvent.ElapsedSeconds"/>.</summary>
        public CudaEvent CreateEvent() => CreateEvent(CuDriver.EventDefault);

        /// <summary>An event only for ordering streams: without a timestamp, so recording and waiting on it cost less.</summary>
        public CudaEvent CreateOrderingEvent() => CreateEvent(CuDriver.EventDisableTiming);

        private CudaEvent CreateEvent(uint flags)
        {
            CuDriver.Check(CuDriver.cuEventCreate(out var cudaEvent, flags), nameof(CuDriver.cuEventCreate));
            return new CudaEvent(new CudaEventHandle(Context, cudaEvent));
        }

        /// <summary>Loads a cubin (e.g. from <see cref="NvrtcCompiler"/>) into this device's context.</summary>
        public CudaModule LoadModule(byte[] cubin)
        {
            if (cubin.Length == 0)
                throw new ArgumentException("The cubin is empty.", nameof(cubin));
            IntPtr module;
            fixed (byte* image = cubin)
                CuDriver.Check(CuDriver.cuModuleLoadData(out module, image), nameof(CuDriver.cuModuleLoadData));
            return new CudaModule(new CudaModuleHandle(Context, module));
        }

        public void Dispose() => Context.Dispose();

        /// <summary>Loads the driver and starts it; false when it runs but sees no GPU.</summary>
        private static bool Initialize()
        {
            string path = CudaLibraries.PathOf(CudaLibrary.Driver);
            int result = CuDriver.cuInit(0);
            if (result == NoDevice)
                return false;
            if (result != 0)
            {
                var error = CudaException.Create(CudaLibrary.Driver, result, nameof(CuDriver.cuInit));
                throw new CudaUnavailableException($"The CUDA driver ({path}) could not start ({error.ErrorName}: {error.ErrorText}), so the CUDA device cannot be used on this machine.", error);
            }
            return true;
        }

        private const int NoDevice = 100;

        private static int Attribute(int device, int attribute)
        {
            CuDriver.Check(CuDriver.cuDeviceGetAttribute(out int value, attribute, device), nameof(CuDriver.cuDeviceGetAttribute));
            return value;
        }

        private static void RequirePositive(long bytes)
        {
            if (bytes <= 0)
                throw new ArgumentOutOfRangeException(nameof(bytes), bytes, "An allocation needs a positive size.");
        }
    }
}
