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
        /// The same rate when four query heads read each K, V row (Llama-3's grouping), measured like
        /// <see cref="HostAttentionBytesPerSecond"/>. The kernel widens a row once and then does a dot product and a weighted
        /// sum per query head, so a row's cost is linear in the heads that read it; this second point fixes the line. Null in
        /// profiles measured before it was: a grouped row is then priced as that many multi-head rows.
        /// </summary>
        public double? HostGroupedAttentionBytesPerSecond { get; init; }

        /// <summary>Query heads per KV head of <see cref="HostGroupedAttentionBytesPerSecond"/>.</summary>
        public const int GroupedAttentionQueryHeads = 4;

        /// <summary>
        /// Bytes per second an all-reduce between this machine's GPUs sustains (NCCL's bus bandwidth, which already counts
        /// the ring's 2(N − 1)/N traffic per byte reduced). Null where none was measured: no tensor parallelism is priced.
        /// </summary>
        public double? InterconnectBytesPerSecond { get; init; }

        /// <summary>
        /// The host's GPUs after GPU 0 (whose figures are the top-level ones), each with its own link; empty for a
        /// single-GPU profile. Their links all read host memory, so <see cref="HostMemoryReadBytesPerSecond"/> bounds them together.
        /// </summary>
        public IReadOnlyList<GpuEntry> OtherGpus { get; init; } = Array.Empty<GpuEntry>();

        /// <summary>GPU 0: the top-level fields, as an entry.</summary>
        private GpuEntry FirstGpu => new()
        {
            Name = Device,
            GpuMemoryBytes = GpuMemoryBytes,
            HostToDeviceSamples = HostToDeviceSamples,
            DeviceToHostSamples = DeviceToHostSamples,
            GemmSamples = GemmSamples,
        };

        /// <summary>This profile with <paramref name="gpu"/>'s figures as the top-level (GPU 0's) fields: the inverse of <see cref="Gpu"/>(0).</summary>
        public HardwareProfile WithGpu(GpuEntry gpu) => this with
        {
            Device = gpu.Name,
            GpuMemoryBytes = gpu.GpuMemoryBytes,
            HostToDeviceSamples = gpu.HostToDeviceSamples,
            DeviceToHostSamples = gpu.DeviceToHostSamples,
            GemmSamples = gpu.GemmSamples,
        };

        /// <summary>GPUs of the host the profile describes: GPU 0 and <see cref="OtherGpus"/>.</summary>
        public int GpuCount => 1 + OtherGpus.Count;

        /// <summary>GPU <paramref name="index"/>'s own figures: the top-level fields for GPU 0, else its entry in <see cref="OtherGpus"/>.</summary>
        public GpuEntry Gpu(int index)
        {
            if (index < 0 || index >= GpuCount)
                throw new ArgumentOutOfRangeException(nameof(index), index, $"Hardware profile '{Name}' describes GPUs 0 to {GpuCount - 1}.");
            return index == 0 ? FirstGpu : OtherGpus[index - 1];
        }

        /// <summary>
        /// GPU <paramref name="index"/> as a single-GPU profile, what <see cref="Planning.DecodePlanner"/> plans one GPU
        /// against: its memory, link and GEMM rate with the host's shared figures. GPU 0's is this profile without the others.
        /// </summary>
        public HardwareProfile ForGpu(int index)
        {
            var gpu = Gpu(index);
            var single = this with { OtherGpus = Array.Empty<GpuEntry>() };
            return index == 0 ? single : single.WithGpu(gpu) with { Name = $"{Name}, GPU {index} ({gpu.Name})" };
        }

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
            void NotEmpty(string field, int count)
            {
                if (count == 0)
                    errors.Add(new SpecError(ErrorCodes.InvalidProfile, field, $"Hardware profile '{Name}': field '{field}' holds no samples."));
            }
            // GPU 0's fields sit at the top level (prefix ""), the others' under otherGpus[i].
            void CheckGpu(string prefix, GpuEntry gpu)
            {
                Check(prefix + "gpuMemoryBytes", gpu.GpuMemoryBytes, HardwareLimits.MemoryBytes);
                foreach (var (name, samples) in new[] { ("hostToDevice", gpu.HostToDeviceSamples), ("deviceToHost", gpu.DeviceToHostSamples) })
                {
                    string field = prefix + name;
                    NotEmpty(field, samples.Count);
                    for (int i = 0; i < samples.Count; i++)
                    {
                        Check($"{field}[{i}].bytes", samples[i].Bytes, HardwareLimits.TransferBytes);
                        Check($"{field}[{i}].GBps", samples[i].BytesPerSecond / HardwareLimits.Giga, HardwareLimits.GigabytesPerSecond);
                    }
                }
                var gemms = gpu.GemmSamples;
                NotEmpty(prefix + "gemmFp16", gemms.Count);
                for (int i = 0; i < gemms.Count; i++)
                {
                    string field = $"{prefix}gemmFp16[{i}]";
                    Check(field + ".m", gemms[i].M, HardwareLimits.GemmDimension);
                    Check(field + ".k", gemms[i].K, HardwareLimits.GemmDimension);
                    Check(field + ".n", gemms[i].N, HardwareLimits.GemmDimension);
                    Check(field + ".tflops", gemms[i].FlopsPerSecond / HardwareLimits.Tera, HardwareLimits.Teraflops);
                }
            }

            CheckGpu("", FirstGpu);
            Check("hostMemoryBytes", HostMemoryBytes, HardwareLimits.MemoryBytes);
            for (int g = 0; g < OtherGpus.Count; g++)
            {
                var gpu = OtherGpus[g];
                string prefix = $"otherGpus[{g}].";
                if (gpu.Name.Trim().Length == 0)
                    errors.Add(new SpecError(ErrorCodes.InvalidProfile, prefix + "name", $"Hardware profile '{Name}': field '{prefix}name' must not be empty."));
                CheckGpu(prefix, gpu);
            }
            Check("deviceMemoryGBps", DeviceMemoryBytesPerSecond / HardwareLimits.Giga, HardwareLimits.GigabytesPerSecond);
            Check("kernelLaunchMicroseconds", KernelLaunchSeconds / HardwareLimits.Micro, HardwareLimits.LaunchMicroseconds);
            if (HostMemoryReadBytesPerSecond is double read)
                Check("hostMemoryReadGBps", read / HardwareLimits.Giga, HardwareLimits.GigabytesPerSecond);
            if (HostAttentionBytesPerSecond is double attention)
                Check("hostAttentionGBps", attention / HardwareLimits.Giga, HardwareLimits.GigabytesPerSecond);
            if (HostGroupedAttentionBytesPerSecond is double grouped)
                Check("hostGroupedAttentionGBps", grouped / HardwareLimits.Giga, HardwareLimits.GigabytesPerSecond);
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
