using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Kvpr.Host;
using Kvpr.Kernels;

namespace Kvpr.Runtime.Cuda
{
    /// <summary>
    /// Measures what a <see cref="HardwareProfile"/> holds on one device: pinned copies each way at several sizes,
    /// the cuBLAS fp16 GEMM rate over M, device memory bandwidth and kernel launch overhead, taken with device events after
    /// warm-up, on random data, as the median of repetitions; then the host's memory read bandwidth and CPU attention rate
    /// (<see cref="HostMemoryProbe"/>, <see cref="HostAttentionProbe"/>), timed by the wall clock.
    /// </summary>
    public sealed class CudaProfiler
    {
        private const long KiB = 1024, MiB = 1024 * KiB, GiB = 1024 * MiB;
        private const int HalfBytes = 2;
        private static readonly long[] TransferSizes = { 64 * KiB, 1 * MiB, 16 * MiB, 256 * MiB, 1 * GiB };
        /// <summary>A Llama/OPT-7B-sized projection (hidden 4096 → 8192) over M, plus a 30B-sized FFN product.</summary>
        private static readonly (int M, int K, int N)[] GemmShapes =
        {
            (16, 4096, 8192), (64, 4096, 8192), (256, 4096, 8192), (1024, 4096, 8192), (2048, 4096, 8192),
            (4096, 4096, 8192), (8192, 4096, 8192), (16384, 4096, 8192), (32768, 4096, 8192), (8192, 7168, 14336),
        };

        private static readonly Dim3 One = new(1, 1, 1);
        private static readonly TimeSpan HostProbeBudget = TimeSpan.FromSeconds(2);

        private readonly CudaDevice _device;
        private readonly Action<string> _log;

        public CudaProfiler(CudaDevice device, Action<string> log)
        {
            _device = device;
            _log = log;
        }

        public HardwareProfile Measure(string name)
        {
            using var stream = _device.CreateStream();
            using var start = _device.CreateEvent();
            using var end = _device.CreateEvent();
            var timer = new EventTimer(stream, start, end);
            using var module = _device.LoadModule(new NvrtcCompiler(_device.Architecture, CubinCache.ForThisUser()).Compile(ToolkitKernels.Source, ToolkitKernels.ProgramName));
            using var gemm = new CublasGemm(_device);
            gemm.SetStream(stream);

            var (hostToDevice, deviceToHost) = MeasureTransfers(stream, timer);
            var gemms = MeasureGemms(stream, timer, module, gemm);
            double deviceBandwidth = MeasureDeviceBandwidth(stream, timer);
            double launch = MeasureLaunch(stream, timer, module.GetKernel(ToolkitKernels.Empty));
            double hostRead = HostMemoryProbe.MeasureReadBytesPerSecond(HostProbeBudget, _log);
            double linkRate = hostToDevice.Max(s => s.BytesPerSecond);
            double hostAttention = MeasureHostAttentionUnderTransfer(stream, linkRate, queryHeadsPerKvHead: 1);
            double hostGroupedAttention = MeasureHostAttentionUnderTransfer(stream, linkRate, HardwareProfile.GroupedAttentionQueryHeads);
            return new HardwareProfile
            {
                Name = name,
                Device = DescribeDevice(),
                Source =
                    $"Measured by `kvpr profile` on {DateTime.UtcNow:yyyy-MM-dd}: CUDA driver {CudaDevice.DriverVersion}, cuBLAS {gemm.Version}. " +
                    "Pinned copies (cuMemHostAlloc) each way; cuBLAS fp16 GEMMs with fp32 accumulation on random data; device-to-device copy " +
                    "counting bytes read and written; empty-kernel launches back to back. Each figure is the median of event-timed repetitions after warm-up. " +
                    $"Host: every core but two ({Environment.ProcessorCount} in all) summing a buffer of 1-4 GiB, and CPU attention over an fp16 store of 128-wide heads " +
                    $"(batch 32, 32 heads, 1024 tokens; and batch 128, 8 KV heads each read by {HardwareProfile.GroupedAttentionQueryHeads} query heads) while host-to-device copies keep the link busy, " +
                    "each the median of wall-clock repetitions.",
                GpuMemoryBytes = _device.TotalMemoryBytes,
                HostMemoryBytes = HostMemoryInfo.TotalBytes,
                HostToDeviceSamples = hostToDevice,
                DeviceToHostSamples = deviceToHost,
                GemmSamples = gemms,
                DeviceMemoryBytesPerSecond = deviceBandwidth,
                KernelLaunchSeconds = launch,
                HostMemoryReadBytesPerSecond = hostRead,
                HostAttentionBytesPerSecond = hostAttention,
                HostGroupedAttentionBytesPerSecond = hostGroupedAttention,
            };
        }

        private (TransferSample[] HostToDevice, TransferSample[] DeviceToHost) MeasureTransfers(CudaStream stream, EventTimer timer)
        {
            long largest = TransferSizes.Max();
            using var host = _device.AllocatePinned(largest);
            using var device = _device.AllocateDevice(largest);
            new Random(1).NextBytes(host.AsSpan<byte>());
            var up = new List<TransferSample>();
            var down = new List<TransferSample>();
            foreach (long bytes in TransferSizes)
            {
                int repetitions = (int)Math.Clamp(4 * GiB / bytes, 5, 50);
                double upSeconds = timer.Median(repetitions, () => stream.CopyAsync(device, host, bytes));
                double downSeconds = timer.Median(repetitions, () => stream.CopyAsync(host, device, bytes));
                up.Add(new TransferSample(bytes, bytes / upSeconds));
                down.Add(new TransferSample(bytes, bytes / downSeconds));
                _log(string.Create(CultureInfo.InvariantCulture, $"pinned copy {Size(bytes),8}: host→device {bytes / upSeconds / 1e9,6:F1} GB/s, device→host {bytes / downSeconds / 1e9,6:F1} GB/s"));
            }
            return (up.ToArray(), down.ToArray());
        }

        /// <summary>
        /// CPU attention's rate while pinned host-to-device copies keep the link busy, as in a decode step split three ways:
        /// the copies' reads of host memory slow the CPU's, so plans are priced with this rate rather than the idle one.
        /// Copies enough for the probe's budget are queued up front; the stream drains the rest afterwards.
        /// </summary>
        private double MeasureHostAttentionUnderTransfer(CudaStream stream, double hostToDeviceBytesPerSecond, int queryHeadsPerKvHead)
        {
            const long bytes = 256 * MiB;
            using var host = _device.AllocatePinned(bytes);
            using var device = _device.AllocateDevice(bytes);
            int copies = (int)Math.Ceiling(hostToDeviceBytesPerSecond * (HostProbeBudget.TotalSeconds * 1.5 + 1) / bytes);
            for (int i = 0; i < copies; i++)
                stream.CopyAsync(device, host, bytes);
            double rate = HostAttentionProbe.MeasureBytesPerSecond(HostProbeBudget, line => _log($"{line}, while host-to-device copies run"),
                HostElementType.Float16, HostAttentionProbe.DefaultHeadDim, queryHeadsPerKvHead);
            stream.Synchronize();
            return rate;
        }

        private GemmSample[] MeasureGemms(CudaStream stream, EventTimer timer, CudaModule module, CublasGemm gemm)
        {
            long xElements = GemmShapes.Max(s => (long)s.M * s.K), wElements = GemmShapes.Max(s => (long)s.N * s.K), yElements = GemmShapes.Max(s => (long)s.M * s.N);
            using var x = _device.AllocateDevice(xElements * HalfBytes);
            using var w = _device.AllocateDevice(wElements * HalfBytes);
            using var y = _device.AllocateDevice(yElements * HalfBytes);
            var fill = module.GetKernel(ToolkitKernels.FillRandomHalf);
            fill.Launch(stream, ToolkitKernels.GridFor(xElements), ToolkitKernels.Block, 0, x, xElements, 1u);
            fill.Launch(stream, ToolkitKernels.GridFor(wElements), ToolkitKernels.Block, 0, w, wElements, 2u);
            var samples = new List<GemmSample>();
            foreach (var (m, k, n) in GemmShapes)
            {
                double flops = 2.0 * m * n * k;
                // Small products take microseconds: time a batch of them per repetition so event resolution does not matter.
                int batch = (int)Math.Clamp(2e11 / flops, 1, 200);
                double seconds = timer.Median(7, () =>
                {
                    for (int i = 0; i < batch; i++)
                        gemm.MultiplyTransposed(x, w, y, m, n, k);
                }) / batch;
                samples.Add(new GemmSample(m, k, n, flops / seconds));
                _log(string.Create(CultureInfo.InvariantCulture, $"fp16 GEMM m={m,6} k={k} n={n}: {flops / seconds / 1e12,7:F1} TFLOP/s"));
            }
            return samples.ToArray();
        }

        private double MeasureDeviceBandwidth(CudaStream stream, EventTimer timer)
        {
            long bytes = 1 * GiB;
            using var source = _device.AllocateDevice(bytes);
            using var destination = _device.AllocateDevice(bytes);
            stream.FillAsync(source, 0x5A);
            double seconds = timer.Median(10, () => stream.CopyAsync(destination, source, bytes));
            double bandwidth = 2.0 * bytes / seconds;
            _log(string.Create(CultureInfo.InvariantCulture, $"device memory: {bandwidth / 1e9:F0} GB/s (1 GiB device-to-device copy, read + write)"));
            return bandwidth;
        }

        private double MeasureLaunch(CudaStream stream, EventTimer timer, CudaKernel empty)
        {
            const int launches = 2000;
            double seconds = timer.Median(5, () =>
            {
                for (int i = 0; i < launches; i++)
                    empty.Launch(stream, One, One, 0);
            }) / launches;
            _log(string.Create(CultureInfo.InvariantCulture, $"kernel launch: {seconds * 1e6:F2} µs each ({launches} empty kernels back to back)"));
            return seconds;
        }

        /// <summary>The device's name and, where sysfs shows it, the PCIe link it sits on (e.g. "PCIe 5.0 x16").</summary>
        private string DescribeDevice()
        {
            string folder = Path.Combine("/sys/bus/pci/devices", _device.PciBusId.ToLowerInvariant());
            string speedFile = Path.Combine(folder, "current_link_speed"), widthFile = Path.Combine(folder, "current_link_width");
            if (!File.Exists(speedFile) || !File.Exists(widthFile))
                return _device.Name;
            string speed = File.ReadAllText(speedFile).Trim(), width = File.ReadAllText(widthFile).Trim();
            string? generation = speed.Split(' ')[0] switch
            {
                "2.5" => "1.0", "5.0" => "2.0", "8.0" => "3.0", "16.0" => "4.0", "32.0" => "5.0", "64.0" => "6.0", _ => null,
            };
            return generation is null ? $"{_device.Name}, PCIe link {speed} x{width}" : $"{_device.Name}, PCIe {generation} x{width}";
        }

        private static string Size(long bytes) => bytes >= GiB ? $"{bytes / GiB} GiB" : bytes >= MiB ? $"{bytes / MiB} MiB" : $"{bytes / KiB} KiB";
    }
}
