using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using Kvpr.Kernels;

namespace Kvpr.Runtime.Cuda
{
    /// <summary>
    /// Checks that the CUDA layer works on this machine, each against an independent truth: cuBLAS GEMMs against
    /// a float64 CPU product, an NVRTC-compiled kernel against the formula it computes, a pinned round trip
    /// against the bytes sent. Outputs are poisoned first, so an unwritten element fails.
    /// </summary>
    public sealed class CudaSelftest
    {
        /// <summary>fp16 outputs round at 2⁻¹¹ relative; fp32 accumulation adds far less.</summary>
        public const double GemmTolerance = 2e-3;
        private static readonly (int M, int N, int K)[] GemmSizes = { (1, 4096, 4096), (7, 333, 1000), (64, 2048, 1024), (256, 512, 4096) };
        private const byte Poison = 0xFF; // all-ones is NaN in fp16 and fp32

        private readonly CudaDevice _device;
        private readonly Random _random = new(20240601);

        public CudaSelftest(CudaDevice device) => _device = device;

        /// <param name="kernelSets">Generated kernel sets to compile with NVRTC and load, every entry point looked up.</param>
        public IEnumerable<SelftestCheck> Run(IEnumerable<KernelSet> kernelSets)
        {
            yield return SelftestCheck.Info("device", Invariant(
                $"{_device.Name} ({_device.Architecture}, {_device.MultiprocessorCount} SMs, {_device.TotalMemoryBytes / 1e9:F1} GB), driver CUDA {CudaDevice.DriverVersion}, {CudaLibraries.PathOf(CudaLibrary.Driver)}"));
            foreach (var (m, n, k) in GemmSizes)
                yield return Guarded($"cuBLAS fp16 GEMM {m}x{k} · ({n}x{k})ᵀ", () => CheckGemm(m, n, k));
            yield return Guarded("cuBLAS strided GEMM over the first 5 of 8 tokens of 3 sequences", CheckStridedGemm);
            yield return Guarded("NVRTC compile and run", CheckNvrtcKernel);
            yield return Guarded("pinned round trip", CheckPinnedRoundTrip);
            yield return Guarded("copy/compute overlap", CheckCopyComputeOverlap);
            foreach (var kernels in kernelSets)
                yield return Guarded($"NVRTC kernel set {kernels.ProgramName}", () => CheckKernelSet(kernels));
        }

        /// <summary>Runs one check; an exception is that check's failure, not the end of the report.</summary>
        private static SelftestCheck Guarded(string name, Func<(bool Passed, string Detail)> check)
        {
            try
            {
                var (passed, detail) = check();
                return new SelftestCheck(name, passed, detail);
            }
            catch (Exception e) when (e is CudaException or CudaUnavailableException or KernelCompileException or NotSupportedException)
            {
                return new SelftestCheck(name, false, e.Message);
            }
        }

        private (bool, string) CheckGemm(int m, int n, int k)
        {
            var (x, w, y, version) = RunGemm(m, n, k, (gemm, xDevice, wDevice, yDevice) => gemm.MultiplyTransposed(xDevice, wDevice, yDevice, m, n, k));
            double error = DeviceReference.RelativeError(DeviceReference.ToDouble(y), DeviceReference.MultiplyTransposed(x, w, m, n, k));
            return (error <= GemmTolerance, Invariant($"relative error {error:E2} (limit {GemmTolerance:E0}), cuBLAS {version}"));
        }

        /// <summary>
        /// Random fp16 x [rows,k] and W [n,k] uploaded, y [rows,n] poisoned, <paramref name="multiply"/> run on a
        /// stream of its own, y read back.
        /// </summary>
        private (Half[] X, Half[] W, Half[] Y, Version CublasVersion) RunGemm(int rows, int n, int k, Action<CublasGemm, DeviceBuffer, DeviceBuffer, DeviceBuffer> multiply)
        {
            var x = DeviceReference.RandomHalves(_random, (long)rows * k);
            var w = DeviceReference.RandomHalves(_random, (long)n * k);
            using var gemm = new CublasGemm(_device);
            using var stream = _device.CreateStream();
            gemm.SetStream(stream);
            using var xDevice = Upload(stream, x);
            using var wDevice = Upload(stream, w);
            using var yDevice = _device.AllocateDevice((long)rows * n * 2);
            stream.FillAsync(yDevice, Poison);
            multiply(gemm, xDevice, wDevice, yDevice);
            return (x, w, Download<Half>(stream, yDevice), gemm.Version);
        }

        /// <summary>
        /// Recompute's product: the first l tokens of every sequence of [batch][capacity][width] buffers, through the
        /// strided batched GEMM. The rows past l must keep their poison: the product may not write them.
        /// </summary>
        private (bool, string) CheckStridedGemm()
        {
            const int sequences = 3, capacity = 8, tokens = 5, n = 384, k = 256;
            var (x, w, y, _) = RunGemm(sequences * capacity, n, k, (gemm, xDevice, wDevice, yDevice) =>
                gemm.MultiplyTransposedBatched(xDevice, 0, (long)capacity * k, wDevice, yDevice, 0, (long)capacity * n, sequences, tokens, n, k));
            var expected = DeviceReference.MultiplyTransposed(x, w, sequences * capacity, n, k);
            var inRange = new List<double>();
            var inRangeExpected = new List<double>();
            int overwritten = 0;
            for (int row = 0; row < sequences * capacity; row++)
                for (int column = 0; column < n; column++)
                {
                    int i = row * n + column;
                    if (row % capacity < tokens)
                    {
                        inRange.Add((double)y[i]);
                        inRangeExpected.Add(expected[i]);
                    }
                    else if (!Half.IsNaN(y[i]))
                        overwritten++;
                }
            double error = DeviceReference.RelativeError(inRange.ToArray(), inRangeExpected.ToArray());
            return (error <= GemmTolerance && overwritten == 0, Invariant($"relative error {error:E2} (limit {GemmTolerance:E0}), {overwritten} elements outside the range written"));
        }

        private (bool, string) CheckNvrtcKernel()
        {
            var compiler = new NvrtcCompiler(_device.Architecture);
            using var module = _device.LoadModule(compiler.Compile(ToolkitKernels.Source, ToolkitKernels.ProgramName));
            var kernel = module.GetKernel(ToolkitKernels.ScaleHalfToFloat);
            const int count = 100_003; // not a multiple of the block, so the bounds check is exercised
            const float a = 1.5f, b = -0.25f;
            var x = DeviceReference.RandomHalves(_random, count);
            using var stream = _device.CreateStream();
            using var xDevice = Upload(stream, x);
            using var yDevice = _device.AllocateDevice(count * sizeof(float));
            stream.FillAsync(yDevice, Poison);
            kernel.Launch(stream, ToolkitKernels.GridFor(count), ToolkitKernels.Block, 0, xDevice, a, b, yDevice, count);
            var y = Download<float>(stream, yDevice);
            int wrong = 0;
            for (int i = 0; i < count; i++)
                if (!(Math.Abs(y[i] - (a * (double)x[i] + b)) <= 1e-6))
                    wrong++;
            string include = compiler.IncludeFolder ?? "NVRTC's built-in headers";
            return (wrong == 0, $"{count - wrong}/{count} outputs right; NVRTC {compiler.Version} ({compiler.NvrtcPath}), cuda_fp16.h from {include}");
        }

        /// <summary>A fresh compile (no cache), so the check shows what NVRTC says about the source today.</summary>
        private (bool, string) CheckKernelSet(KernelSet kernels)
        {
            var compiler = new NvrtcCompiler(_device.Architecture);
            var watch = Stopwatch.StartNew();
            byte[] cubin = compiler.Compile(kernels.Source, kernels.ProgramName, KernelSet.NvrtcOptions);
            watch.Stop();
            using var module = _device.LoadModule(cubin);
            foreach (var signature in kernels.Kernels)
                module.GetKernel(signature.Name);
            return (true, Invariant($"{kernels.Kernels.Count} entry points loaded, {cubin.Length / 1024} KiB cubin, compiled in {watch.Elapsed.TotalSeconds:F1} s"));
        }

        private (bool, string) CheckPinnedRoundTrip()
        {
            const long bytes = 256L << 20;
            using var sent = _device.AllocatePinned(bytes);
            using var received = _device.AllocatePinned(bytes);
            using var first = _device.AllocateDevice(bytes);
            using var second = _device.AllocateDevice(bytes);
            using var stream = _device.CreateStream();
            using var start = _device.CreateEvent();
            using var end = _device.CreateEvent();
            _random.NextBytes(sent.AsSpan<byte>());
            received.AsSpan<byte>().Fill(Poison);
            stream.Record(start);
            stream.CopyAsync(first, sent, bytes);
            stream.CopyAsync(second, first, bytes);
            stream.CopyAsync(received, second, bytes);
            stream.Record(end);
            double seconds = CudaEvent.ElapsedSeconds(start, end);
            bool same = sent.AsSpan<byte>().SequenceEqual(received.AsSpan<byte>());
            return (same, Invariant($"{bytes >> 20} MiB host→device→device→host {(same ? "identical" : "DIFFERENT")} in {seconds * 1e3:F1} ms"));
        }

        /// <summary>
        /// The premise of partial recomputation: a host→device copy and GEMMs on another stream run at the same
        /// time. Both are sized to take about 5 ms alone; together they must take well under the sum.
        /// </summary>
        private (bool, string) CheckCopyComputeOverlap()
        {
            const long bytes = 256L << 20;
            const int m = 4096, n = 8192, k = 4096, gemms = 12;
            using var module = _device.LoadModule(new NvrtcCompiler(_device.Architecture).Compile(ToolkitKernels.Source, ToolkitKernels.ProgramName));
            using var host = _device.AllocatePinned(bytes);
            using var target = _device.AllocateDevice(bytes);
            using var x = _device.AllocateDevice((long)m * k * 2);
            using var w = _device.AllocateDevice((long)n * k * 2);
            using var y = _device.AllocateDevice((long)m * n * 2);
            using var copies = _device.CreateStream();
            using var compute = _device.CreateStream();
            using var start = _device.CreateEvent();
            using var end = _device.CreateEvent();
            using var computeDone = _device.CreateEvent();
            using var gemm = new CublasGemm(_device);
            gemm.SetStream(compute);
            var fill = module.GetKernel(ToolkitKernels.FillRandomHalf);
            fill.Launch(compute, ToolkitKernels.GridFor((long)m * k), ToolkitKernels.Block, 0, x, (long)m * k, 3u);
            fill.Launch(compute, ToolkitKernels.GridFor((long)n * k), ToolkitKernels.Block, 0, w, (long)n * k, 4u);
            void Copy() => copies.CopyAsync(target, host, bytes);
            void Multiply()
            {
                for (int i = 0; i < gemms; i++)
                    gemm.MultiplyTransposed(x, w, y, m, n, k);
            }

            double copySeconds = new EventTimer(copies, start, end).Median(5, Copy);
            double gemmSeconds = new EventTimer(compute, start, end).Median(5, Multiply);
            double togetherSeconds = new EventTimer(copies, start, end).Median(5, () =>
            {
                // Fork the compute stream off the copy stream's start and join it back before the end event.
                compute.Wait(start);
                Copy();
                Multiply();
                compute.Record(computeDone);
                copies.Wait(computeDone);
            });
            double limit = 0.75 * (copySeconds + gemmSeconds);
            return (togetherSeconds <= limit, Invariant(
                $"copy {copySeconds * 1e3:F2} ms ({bytes / copySeconds / 1e9:F1} GB/s), {gemms} GEMMs {gemmSeconds * 1e3:F2} ms, together {togetherSeconds * 1e3:F2} ms (limit {limit * 1e3:F2})"));
        }

        private DeviceBuffer Upload<T>(CudaStream stream, T[] values) where T : unmanaged
        {
            long bytes = (long)values.Length * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
            using var staging = _device.AllocatePinned(bytes);
            values.AsSpan().CopyTo(staging.AsSpan<T>());
            var buffer = _device.AllocateDevice(bytes);
            stream.CopyAsync(buffer, staging, bytes);
            stream.Synchronize();
            return buffer;
        }

        private T[] Download<T>(CudaStream stream, DeviceBuffer buffer) where T : unmanaged
        {
            using var staging = _device.AllocatePinned(buffer.Bytes);
            stream.CopyAsync(staging, buffer, buffer.Bytes);
            stream.Synchronize();
            return staging.AsSpan<T>().ToArray();
        }

        private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
    }
}
