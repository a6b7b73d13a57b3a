using System;
using System.Collections.Generic;
using System.Linq;

namespace Kvpr
{
    /// <summary>
    /// What the planner knows about a machine: memory sizes, the PCIe link in each direction, the GPU's
    /// fp16 GEMM rate as a function of M, its memory bandwidth and kernel launch cost.
    /// Read and written by <see cref="HardwareProfileFormat"/> (<c>*.hwprofile.json</c>).
    /// </summary>
    public sealed record HardwareProfile
    {
        public string Name { get; init; } = "";
        public string Device { get; init; } = "";
        /// <summary>Free text: how and where the numbers were obtained.</summary>
        public string Source { get; init; } = "";
        public long GpuMemoryBytes { get; init; }
        public long HostMemoryBytes { get; init; }
        public IReadOnlyList<TransferSample> HostToDeviceSamples { get; init; } = Array.Empty<TransferSample>();
        public IReadOnlyList<TransferSample> DeviceToHostSamples { get; init; } = Array.Empty<TransferSample>();
        public IReadOnlyList<GemmSample> GemmSamples { get; init; } = Array.Empty<GemmSample>();
        public double DeviceMemoryBytesPerSecond { get; init; }
        public double KernelLaunchSeconds { get; init; }

        /// <summary>
        /// Host memory read bandwidth with every core reading (pinned or not): the budget that the link's DMA reads of
        /// the host store and CPU attention share. Null in profiles measured before it was: CPU attention is then off.
        /// </summary>
        public double? HostMemoryReadBytesPerSecond { get; init; }

        /// <summary>
        /// Bytes of stored K and V per second that CPU attention (every core) folds into partial softmaxes, fp16 K/V, 128-wide
        /// heads. Null in profiles measured before it was: CPU attention is then off.
        /// </summary>
        public double? HostAttentionBytesPerSecond { get; init; }

        /// <summary>
        /// Bytes per second an all-reduce between this machine's GPUs sustains (NCCL's bus bandwidth, which already counts
        /// the ring's 2(N − 1)/N traffic per byte reduced). Null where none was measured: no tensor parallelism is priced.
        /// </summary>
        public double? InterconnectBytesPerSecond { get; init; }

        /// <summary>Whether the profile measured the host's side of CPU attention, so the planner may give the CPU a share.</summary>
        public bool MeasuresHostAttention => HostMemoryReadBytesPerSecond is not null && HostAttentionBytesPerSecond is not null;

        /// <summary>
        /// Every value outside <see cref="HardwareLimits"/> or missing, named by its field in the profile format; empty
        /// when the planner can price the profile. The reader checks the same while parsing; this guards profiles built in code.
        /// </summary>
        public IReadOnlyList<SpecError> Validate()
        {
            var errors = new List<SpecError>();
            void Check(string field, double value, ValueRange range)
            {
                if (!range.Contains(value))
                    errors.Add(new SpecError(ErrorCodes.InvalidProfile, field,
                        $"Hardware profile '{Name}': field '{field}' must be in {range}, but is {ValueRange.Format(value)}."));
            }

            Check("gpuMemoryBytes", GpuMemoryBytes, HardwareLimits.MemoryBytes);
            Check("hostMemoryBytes", HostMemoryBytes, HardwareLimits.MemoryBytes);
            foreach (var (field, samples) in new[] { ("hostToDevice", HostToDeviceSamples), ("deviceToHost", DeviceToHostSamples) })
            {
                if (samples.Count == 0)
                    errors.Add(new SpecError(ErrorCodes.InvalidProfile, field, $"Hardware profile '{Name}': field '{field}' holds no samples."));
                for (int i = 0; i < samples.Count; i++)
                {
                    Check($"{field}[{i}].bytes", samples[i].Bytes, HardwareLimits.TransferBytes);
                    Check($"{field}[{i}].GBps", samples[i].BytesPerSecond / HardwareLimits.Giga, HardwareLimits.GigabytesPerSecond);
                }
            }
            if (GemmSamples.Count == 0)
                errors.Add(new SpecError(ErrorCodes.InvalidProfile, "gemmFp16", $"Hardware profile '{Name}': field 'gemmFp16' holds no samples."));
            for (int i = 0; i < GemmSamples.Count; i++)
            {
                Check($"gemmFp16[{i}].m", GemmSamples[i].M, HardwareLimits.GemmDimension);
                Check($"gemmFp16[{i}].k", GemmSamples[i].K, HardwareLimits.GemmDimension);
                Check($"gemmFp16[{i}].n", GemmSamples[i].N, HardwareLimits.GemmDimension);
                Check($"gemmFp16[{i}].tflops", GemmSamples[i].FlopsPerSecond / HardwareLimits.Tera, HardwareLimits.Teraflops);
            }
            Check("deviceMemoryGBps", DeviceMemoryBytesPerSecond / HardwareLimits.Giga, HardwareLimits.GigabytesPerSecond);
            Check("kernelLaunchMicroseconds", KernelLaunchSeconds / HardwareLimits.Micro, HardwareLimits.LaunchMicroseconds);
            if (HostMemoryReadBytesPerSecond is double read)
                Check("hostMemoryReadGBps", read / HardwareLimits.Giga, HardwareLimits.GigabytesPerSecond);
            if (HostAttentionBytesPerSecond is double attention)
                Check("hostAttentionGBps", attention / HardwareLimits.Giga, HardwareLimits.GigabytesPerSecond);
            if (InterconnectBytesPerSecond is double interconnect)
                Check("interconnectGBps", interconnect / HardwareLimits.Giga, HardwareLimits.GigabytesPerSecond);
            return errors;
        }

        /// <summary>Pinned host→device copies, fitted from <see cref="HostToDeviceSamples"/>.</summary>
        public TransferModel HostToDevice => TransferModel.Fit(HostToDeviceSamples);

        /// <summary>Pinned device→host copies, fitted from <see cref="DeviceToHostSamples"/>.</summary>
        public TransferModel DeviceToHost => TransferModel.Fit(DeviceToHostSamples);

        /// <summary>
        /// fp16 GEMM rate for a product with M rows: piecewise linear in log M between the samples (best
        /// sample at each M), constant beyond the smallest and largest. Memory-bound small-M products are
        /// the cost model's business (it also charges the bytes read at <see cref="DeviceMemoryBytesPerSecond"/>).
        /// </summary>
        public double GemmFlopsPerSecond(double m)
        {
            var curve = GemmSamples.GroupBy(s => s.M).Select(g => (m: (double)g.Key, rate: g.Max(s => s.FlopsPerSecond))).OrderBy(p => p.m).ToArray();
            if (curve.Length == 0)
                throw new InvalidOperationException($"Hardware profile '{Name}' has no GEMM samples.");
            if (m <= curve[0].m)
                return curve[0].rate;
            for (int i = 1; i < curve.Length; i++)
            {
                if (m <= curve[i].m)
                {
                    double t = (Math.Log(m) - Math.Log(curve[i - 1].m)) / (Math.Log(curve[i].m) - Math.Log(curve[i - 1].m));
                    return curve[i - 1].rate + t * (curve[i].rate - curve[i - 1].rate);
                }
            }
            return curve[curve.Length - 1].rate;
        }
    }
}
