using System;
using System.Collections.Generic;

namespace Kvpr.Runtime.Cuda.Backend
{
    /// <summary>
    /// Everything the CUDA backend allocates or creates, released in scopes: what a generation allocated goes
    /// when its scope ends (the device synchronised first), everything else when the device is disposed. Memory
    /// released by a scope is kept by size and handed to the next allocation of that size, because pinning
    /// gigabytes of host store takes seconds and generations of one shape repeat; the kept blocks are freed
    /// when an allocation runs out of memory, and with the device.
    /// </summary>
    internal sealed class DeviceResources : IDisposable
    {
        private const int OutOfMemory = 2;

        private readonly CudaDevice _device;
        private readonly List<IDisposable> _owned = new();
        private readonly Dictionary<long, Stack<DeviceBuffer>> _keptDevice = new();
        private readonly Dictionary<long, Stack<PinnedBuffer>> _keptPinned = new();

        public DeviceResources(CudaDevice device) => _device = device;

        /// <exception cref="InsufficientMemoryException">The GPU has no room for it, even after freeing the kept blocks.</exception>
        public DeviceBuffer Device(long bytes)
        {
            try
            {
                return Track(Take(_keptDevice, bytes) ?? AllocateOrFreeKept(() => _device.AllocateDevice(bytes)));
            }
            catch (CudaException e) when (e.Library == CudaLibrary.Driver && e.Code == OutOfMemory)
            {
                var (free, total) = _device.MemoryInfo();
                throw new InsufficientMemoryException($"{_device.Name} has {free / 1e9:F2} GB free of {total / 1e9:F1} GB, too little for {bytes / 1e9:F2} GB more device memory; " +
                    "decode fewer sequences or shorter ones, or plan with fewer layers' KV resident.", e);
            }
        }

        public PinnedBuffer Pinned(long bytes) =>
            Track(Take(_keptPinned, bytes) ?? AllocateOrFreeKept(() => _device.AllocatePinned(bytes)));

        public T Track<T>(T resource) where T : IDisposable
        {
            _owned.Add(resource);
            return resource;
        }

        /// <summary>Releases what is tracked after this call when the returned scope is disposed.</summary>
        public IDisposable Scope() => new Mark(this, _owned.Count);

        public void Dispose()
        {
            ReleaseFrom(0, keep: false);
            FreeKept();
        }

        private void ReleaseFrom(int mark, bool keep)
        {
            for (int i = _owned.Count - 1; i >= mark; i--)
            {
                switch (_owned[i])
                {
                    case DeviceBuffer buffer when keep:
                        Keep(_keptDevice, buffer.Bytes, buffer);
                        break;
                    case PinnedBuffer buffer when keep:
                        Keep(_keptPinned, buffer.Bytes, buffer);
                        break;
                    default:
                        _owned[i].Dispose();
                        break;
                }
            }
            _owned.RemoveRange(mark, _owned.Count - mark);
        }

        private T AllocateOrFreeKept<T>(Func<T> allocate)
        {
            try
            {
                return allocate();
            }
            catch (CudaException e) when (e.Library == CudaLibrary.Driver && e.Code == OutOfMemory && (_keptDevice.Count > 0 || _keptPinned.Count > 0))
            {
                FreeKept();
                return allocate();
            }
        }

        private void FreeKept()
        {
            foreach (var stack in _keptDevice.Values)
                foreach (var buffer in stack)
                    buffer.Dispose();
            foreach (var stack in _keptPinned.Values)
                foreach (var buffer in stack)
                    buffer.Dispose();
            _keptDevice.Clear();
            _keptPinned.Clear();
        }

        private static T? Take<T>(Dictionary<long, Stack<T>> kept, long bytes) where T : class
        {
            if (!kept.TryGetValue(bytes, out var stack))
                return null;
            var buffer = stack.Pop();
            if (stack.Count == 0)
                kept.Remove(bytes);
            return buffer;
        }

        private static void Keep<T>(Dictionary<long, Stack<T>> kept, long bytes, T buffer)
        {
            if (!kept.TryGetValue(bytes, out var stack))
                kept.Add(bytes, stack = new Stack<T>());
            stack.Push(buffer);
        }

        private sealed class Mark(DeviceResources resources, int mark) : IDisposable
        {
            private bool _released;

            public void Dispose()
            {
                if (_released)
                    return;
                _released = true;
                // Copies and kernels may still use the memory: wait for them before it is reused. After a device
                // fault nothing is reused, but everything is still freed.
                bool idle = false;
                try
                {
                    resources._device.Synchronize();
                    idle = true;
                }
                finally
                {
                    resources.ReleaseFrom(mark, keep: idle);
                }
            }
        }
    }
}
