using System;
using Kvpr.Runtime.Cuda.Native;

namespace Kvpr.Runtime.Cuda
{
    /// <summary>A kernel of a loaded module, launched on a stream.</summary>
    public sealed unsafe class CudaKernel
    {
        private readonly CudaModule _module;
        private readonly IntPtr _function;

        internal CudaKernel(CudaModule module, IntPtr function, string name)
        {
            _module = module;
            _function = function;
            Name = name;
        }

        public string Name { get; }

        /// <summary>Queues the kernel; the arguments must match its parameter list in order and size.</summary>
        public void Launch(CudaStream stream, Dim3 grid, Dim3 block, uint sharedMemoryBytes, params ReadOnlySpan<KernelArgument> arguments)
        {
            if (_module.Handle.IsClosed)
                throw new ObjectDisposedException(nameof(CudaModule), $"The module holding kernel '{Name}' was unloaded.");
            // cuLaunchKernel copies the values out of these slots before it returns, so stack memory is enough.
            var values = stackalloc ulong[Math.Max(arguments.Length, 1)];
            var pointers = stackalloc IntPtr[Math.Max(arguments.Length, 1)];
            for (int i = 0; i < arguments.Length; i++)
            {
                values[i] = arguments[i].Bits;
                pointers[i] = (IntPtr)(values + i);
            }
            int result = CuDriver.cuLaunchKernel(_function, grid.X, grid.Y, grid.Z, block.X, block.Y, block.Z, sharedMemoryBytes, stream.Raw, pointers, null);
            CuDriver.Check(result, $"{nameof(CuDriver.cuLaunchKernel)}({Name})");
        }
    }
}
