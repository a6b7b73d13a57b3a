using System;
using System.Threading.Tasks;
using Kvpr.Backend;

namespace Kvpr.Runtime.Cuda.Backend
{
    /// <summary>
    /// The CUDA backend's device: buffers in the model's 16-bit type (fp32 where asked), the host store in pinned
    /// memory, graph streams as CUDA streams, graph edges as CUDA events, and every copy asynchronous on its
    /// stream. Everything it hands out is tracked and released by scope or with the device. A generation's planned
    /// buffers are carved from one block (<see cref="Reserve"/>), and its GEMMs run on the device's one cuBLAS handle
    /// with the planned workspace (<see cref="CublasGemm.Bind"/>), so what a generation allocates is its plan's list.
    /// </summary>
    internal sealed class CudaComputeDevice : IDevice
    {
        private const int OutOfMemory = 2;

        private readonly ScopedResources _resources;
        private PinnedBuffer? _readStaging;
        // The current scope's block and what of it is carved; null outside a reservation.
        private (DeviceBuffer Block, DeviceArena Carved)? _arena;

        public CudaComputeDevice(CudaDevice device, CudaElementType elementType)
        {
            Cuda = device;
            ElementType = elementType;
            _resources = new ScopedResources(device.Synchronize, e => e is CudaException { Library: CudaLibrary.Driver, Code: OutOfMemory });
            // Created with the device, not in a generation: the handle's own memory is the engine's (the plan's reserve).
            try
            {
                Gemm = _resources.Track(new CublasGemm(device));
            }
            catch
            {
                device.Dispose();   // this device owns it, but will not be there to dispose it
                throw;
            }
        }

        public CudaDevice Cuda { get; }

        /// <summary>The cuBLAS handle every generation's GEMMs run on (one compute stream runs them all).</summary>
        public CublasGemm Gemm { get; }

        /// <summary>The model's 16-bit type: weights, KV, activations and the GEMM operands.</summary>
        public CudaElementType ElementType { get; }

        public string Name => $"cuda:{Cuda.Ordinal} ({Cuda.Name})";

        public int ElementBytes => ElementType.Bytes();

        public IDeviceBuffer Allocate(long elements) => Allocate(elements, ElementType);

        public IDeviceBuffer AllocateSingle(long elements) => Allocate(elements, CudaElementType.Float32);

        /// <summary>Carved from the scope's reserved block while it has room, else a block of its own.</summary>
        /// <exception cref="InsufficientMemoryException">The GPU has no room for it, even after freeing the blocks kept for reuse.</exception>
        public CudaTensor Allocate(long elements, CudaElementType type)
        {
            long bytes = Math.Max(1, elements) * type.Bytes();
            var memory = _arena is { } arena && arena.Carved.TryTake(bytes) is long offset ? arena.Block.Slice(offset, bytes) : AllocateBlock(bytes);
            return new(memory, type, elements);
        }

        /// <summary>One block for what the current scope allocates next; it is released (or kept for the next scope that fits in it) with the scope.</summary>
        public void Reserve(long bytes)
        {
            var block = AllocateBlock(Math.Max(1, bytes));
            _arena = (block, new DeviceArena(block.Bytes));
        }

        private DeviceBuffer AllocateBlock(long bytes)
        {
            try
            {
                return _resources.Allocate(bytes, Cuda.AllocateDevice);
            }
            catch (CudaException e) when (e.Library == CudaLibrary.Driver && e.Code == OutOfMemory)
            {
                var (free, total) = Cuda.MemoryInfo();
                throw new InsufficientMemoryException($"{Name} has {free / 1e9:F2} GB free of {total / 1e9:F1} GB, too little for {bytes / 1e9:F2} GB more; " +
                    "decode fewer or shorter sequences, or plan with fewer layers' KV resident.", e);
            }
        }

        public IHostBuffer AllocateHost(long elements) => new PinnedTensor(AllocatePinned(Math.Max(1, elements) * PinnedTensor.ElementBytes), elements);

        /// <summary>Converts on every core: one core converts about 2 GB/s, and tens of GB of weights may land here.</summary>
        public void WriteHost(IHostBuffer destination, long offset, ReadOnlySpan<float> values)
        {
            ulong address = PinnedTensor.Of(destination).Address(offset, values.Length);
            const int part = 1 << 18;
            unsafe
            {
                fixed (float* source = values)
                {
                    float* from = source;
                    ushort* to = (ushort*)(nint)address;
                    int length = values.Length;
                    var type = ElementType;
                    Parallel.For(0, (length + part - 1) / part, p =>
                    {
                        int first = p * part, count = Math.Min(part, length - first);
                        type.Narrow(new ReadOnlySpan<float>(from + first, count), new Span<byte>(to + first, count * sizeof(ushort)));
                    });
                }
            }
        }

        /// <summary>Pinned bytes for the backend's own staging (token ids).</summary>
        public PinnedBuffer AllocatePinned(long bytes) => _resources.Allocate(bytes, Cuda.AllocatePinned);

        public IDeviceBuffer Upload(IWeightTensor weight)
        {
            long elements = 1;
            foreach (long d in weight.Shape)
                elements *= d;
            var tensor = Allocate(elements, ElementType);
            using var uploader = new WeightUploader(Cuda);
            uploader.Upload(weight, tensor, 0);
            return tensor;
        }

        public IStream CreateStream() => _resources.Track(Cuda.CreateStream());

        public IEvent CreateEvent() => new CudaComputeEvent(_resources.Track(Cuda.CreateOrderingEvent()));

        public IEvent CreateTimingEvent() => new CudaComputeEvent(_resources.Track(Cuda.CreateEvent()));

        public double ElapsedMicroseconds(IEvent start, IEvent end) =>
            CudaEvent.ElapsedSeconds(CudaComputeEvent.Of(start).Event, CudaComputeEvent.Of(end).Event) * 1e6;

        /// <summary>Also makes the device current on the calling thread, which a generation may run on.</summary>
        public IDisposable AllocationScope()
        {
            Cuda.MakeCurrent();
            return new GenerationScope(this, _resources.Scope());
        }

        /// <summary>Loaded code lives as long as the device.</summary>
        public CudaModule LoadModule(byte[] cubin) => _resources.Track(Cuda.LoadModule(cubin));

        public void CopyToDevice(IStream stream, IHostBuffer source, IDeviceBuffer destination, BlockCopy blocks)
        {
            var (host, device) = (PinnedTensor.Of(source), CudaTensor.Of(destination));
            Copy(stream, blocks, device.Address(blocks.DestinationOffset, Span(blocks, blocks.DestinationOffset, blocks.DestinationEnd, device)),
                host.Address(blocks.SourceOffset, blocks.SourceEnd - blocks.SourceOffset));
        }

        public void CopyToHost(IStream stream, IDeviceBuffer source, IHostBuffer destination, BlockCopy blocks)
        {
            var (device, host) = (CudaTensor.Of(source), PinnedTensor.Of(destination));
            Copy(stream, blocks, host.Address(blocks.DestinationOffset, blocks.DestinationEnd - blocks.DestinationOffset),
                device.Address(blocks.SourceOffset, Span(blocks, blocks.SourceOffset, blocks.SourceEnd, device)));
        }

        public void Read(IStream stream, IDeviceBuffer source, long sourceOffset, Span<float> destination)
        {
            var origin = CudaTensor.Of(source);
            var cudaStream = CudaStream.Of(stream);
            long bytes = (long)destination.Length * origin.ElementType.Bytes();
            if (_readStaging is null || _readStaging.Bytes < bytes)
            {
                _readStaging?.Dispose();
                _readStaging = Cuda.AllocatePinned(Math.Max(bytes, 1));
            }
            cudaStream.CopyAsync(_readStaging.Address, origin.Address(sourceOffset, destination.Length), bytes);
            cudaStream.Synchronize();
            unsafe
            {
                origin.ElementType.Widen(new ReadOnlySpan<byte>((void*)_readStaging.Pointer, checked((int)bytes)), destination);
            }
        }

        public void Dispose()
        {
            _readStaging?.Dispose();
            _resources.Dispose();
            Cuda.Dispose();
        }

        /// <summary>
        /// Ends what a generation set up, the reservation and cuBLAS's binding to its stream and workspace, before the
        /// scope releases (or keeps) them: the handle outlives them and must not point at them.
        /// </summary>
        private sealed class GenerationScope(CudaComputeDevice device, IDisposable scope) : IDisposable
        {
            public void Dispose()
            {
                device._arena = null;
                try
                {
                    device.Gemm.Unbind();
                }
                finally
                {
                    scope.Dispose();
                }
            }
        }

        /// <summary>Checks the copy and the device side's type, and gives the elements its blocks span on one side.</summary>
        private long Span(BlockCopy blocks, long start, long end, CudaTensor device)
        {
            blocks.Validate();
            // The host store is in the model's type; an fp32 buffer (hidden state, logits) is never copied to it.
            if (device.ElementType != ElementType)
                throw new ArgumentException($"Copies between the host store and the device move {ElementType} elements, but this device buffer holds {device.ElementType}.");
            return end - start;
        }

        private void Copy(IStream stream, BlockCopy blocks, ulong destination, ulong source)
        {
            if (blocks.TotalElements > 0)
                CudaStream.Of(stream).CopyAsync(destination, blocks.DestinationStride * ElementBytes, source, blocks.SourceStride * ElementBytes,
                    blocks.Elements * ElementBytes, blocks.Blocks);
        }
    }
}
