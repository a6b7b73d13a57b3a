using System;
using Kvpr.Kernels;
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
            if (grid.X <= 0 || grid.Y <= 0 || grid.Z <= 0 || block.X <= 0 || block.Y <= 0 || block.Z <= 0)
                throw new ArgumentOutOfRangeException(nameof(grid), $"Kernel '{Name}' needs a positive grid and block, but got grid {grid} and block {block}.");
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
            int result = CuDriver.cuLaunchKernel(_function, (uint)grid.X, (uint)grid.Y, (uint)grid.Z, (uint)block.X, (uint)block.Y, (uint)block.Z,
                sharedMemoryBytes, stream.Raw, pointers, null);
            CuDriver.Check(result, $"{nameof(CuDriver.cuLaunchKernel)}({Name})");
        }
    }
}
