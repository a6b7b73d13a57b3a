using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Kvpr.Graphs;
using Kvpr.Planning;
using Kvpr.Sampling;

namespace Kvpr.Cli
{
    /// <summary>
    /// The options of <c>kvpr run</c> as typed, with their defaults, and their translation into engine settings;
    /// a value out of range is a <see cref="UsageException"/> naming the option.
    /// </summary>
    internal sealed record RunSettings
    {
        /// <summary>The checkpoint folder; null for the built-in tiny model with seeded random weights.</summary>
        public string? Folder { get; init; }
        public string Device { get; init; } = "cpu";
        public string? PromptIds { get; init; }
        /// <summary>Text prompts from --prompt, one sequence each.</summary>
        public IReadOnlyList<string> Prompts { get; init; } = Array.Empty<string>();
        /// <summary>A text file of prompts (--prompts), one sequence a non-empty line.</summary>
        public string? PromptsFile { get; init; }
        /// <summary>Stop strings (--stop), besides generation_config.json's stop_strings.</summary>
        public IReadOnlyList<string> Stop { get; init; } = Array.Empty<string>();
        public int MaxNewTokens { get; init; } = 32;
        public double Temperature { get; init; }
        public int TopK { get; init; }
        public double TopP { get; init; } = 1;
        public int Seed { get; init; }
        public string Split { get; init; } = "auto";
        /// <summary>row or column; null for the default: column for the built-in model's demo (its plan then recomputes part of the KV), row otherwise.</summary>
        public string? Schedule { get; init; }
        public int MicroBatches { get; init; } = 2;
        /// <summary>Simulated CPU devices the model is split over (--tensor-parallel); 1 runs it whole.</summary>
        public int TensorParallel { get; init; } = 1;
        public string? Profile { get; init; }
        /// <summary>GPU memory the auto plan may use; null for the profile's (or, for the built-in model, just enough to offload the KV).</summary>
        public long? GpuMemory { get; init; }
        /// <summary>Host memory the auto plan's weight copy and host store may use; null for the profile's.</summary>
        public long? HostMemory { get; init; }

        /// <summary>--cpu-attention as given; null when left out (auto, off where the profile or the model cannot have it).</summary>
        public CpuAttentionMode? CpuAttention { get; init; }
        public bool Json { get; init; }
        /// <summary>Scan the checkpoint for NaN and infinity before loading it (the built-in model's seeded weights are finite).</summary>
        public bool CheckWeights { get; init; }

        public ComputeDevice ComputeDevice => Device switch
        {
            "cpu" => ComputeDevice.Cpu,
            "cuda" => ComputeDevice.Cuda,
            _ => throw new UsageException($"--device must be cpu or cuda, but is '{Device}'."),
        };

        public ScheduleKind ScheduleKind => (Schedule ?? (Folder is null ? "column" : "row")) switch
        {
            "row" => ScheduleKind.RowByRow,
            "column" => ScheduleKind.ColumnByColumn,
            _ => throw new UsageException($"--schedule must be row or column, but is '{Schedule}'."),
        };

        public bool PlansSplit => Split == "auto";

        /// <summary>The --profile named (a stored name or a file), else the default one.</summary>
        public HardwareProfile HardwareProfile
        {
            get
            {
                try
                {
                    return Profile is null ? HardwareProfiles.Default : HardwareProfiles.Resolve(Profile);
                }
                catch (FileNotFoundException e)
                {
                    throw new UsageException(e.Message);
                }
            }
        }

        /// <summary>The fixed split of none, all or a fraction; null for auto, which is planned per run.</summary>
        public SplitPolicy? FixedSplit => Split switch
        {
            "auto" => null,
            "none" => SplitPolicy.None,
            "all" => SplitPolicy.All,
            _ when double.TryParse(Split, NumberStyles.Float, CultureInfo.InvariantCulture, out double fraction) && fraction >= 0 && fraction <= 1
                => SplitPolicy.Fraction(fraction),
            _ => throw new UsageException($"--split must be auto, none, all or a fraction in [0, 1], but is '{Split}'."),
        };

        public SamplingOptions Sampling
        {
            get
            {
                var sampling = new SamplingOptions { Temperature = Temperature, TopK = TopK, TopP = TopP, Seed = Seed };
                var error = sampling.Validate().FirstOrDefault();
                return error is null ? sampling : throw new UsageException(error.Field switch
                {
                    nameof(SamplingOptions.Temperature) => $"--temperature must be 0 (greedy) or positive, but is {Temperature}.",
                    nameof(SamplingOptions.TopK) => $"--top-k must be 0 (all tokens) or positive, but is {TopK}.",
                    _ => $"--top-p must be in (0, 1], but is {TopP}.",
                });
            }
        }

        /// <summary>Checks that <paramref name="spec"/> splits --tensor-parallel ways, once the model is known.</summary>
        public void CheckTensorParallel(ModelSpec spec)
        {
            var errors = Parallelism.TensorParallel.Check(spec, TensorParallel);
            if (errors.Count > 0)
                throw new UsageException($"--tensor-parallel {TensorParallel} does not split {spec.Name}: {string.Join(" ", errors.Select(e => e.Message))}");
        }

        /// <summary>Checks every option at once, before anything is loaded.</summary>
        public void Check()
        {
            // Each property throws its own sentence for a bad value.
            _ = ComputeDevice;
            _ = ScheduleKind;
            _ = FixedSplit;
            _ = Sampling;
            if (new[] { PromptIds is not null, Prompts.Count > 0, PromptsFile is not null }.Count(given => given) > 1)
                throw new UsageException("Give prompts one way: --prompt, --prompts or --prompt-ids.");
            if (MaxNewTokens < 1)
                throw new UsageException($"--max-new-tokens must be at least 1, but is {MaxNewTokens}.");
            if (MicroBatches < 1)
                throw new UsageException($"--micro-batches must be at least 1, but is {MicroBatches}.");
            if (TensorParallel < 1)
                throw new UsageException($"--tensor-parallel must be at least 1 (1 runs the model whole), but is {TensorParallel}.");
            if (TensorParallel > 1 && ComputeDevice != ComputeDevice.Cpu)
                throw new UsageException("--tensor-parallel needs --device cpu: tensor parallelism runs on the CPU backend's simulated devices; multi-GPU execution needs NCCL and several GPUs.");
            if (Profile is not null && !PlansSplit)
                throw new UsageException($"--profile is used to plan the split, so it needs --split auto, not '{Split}'.");
            if (GpuMemory is not null && !PlansSplit)
                throw new UsageException($"--gpu-memory is used to plan the split, so it needs --split auto, not '{Split}'.");
            if (CpuAttention is { MayUseCpu: true } && !PlansSplit)
                throw new UsageException($"{CpuAttentionOption.Name} is planned with the split, so {CpuAttentionOption.Name} {CpuAttention} needs --split auto, not '{Split}'.");
            if (GpuMemory is <= 0)
                throw new UsageException($"--gpu-memory must be a positive number of bytes, but is {GpuMemory}.");
            if (HostMemory is not null && !PlansSplit)
                throw new UsageException($"--host-memory is used to plan the split, so it needs --split auto, not '{Split}'.");
            if (HostMemory is <= 0)
                throw new UsageException($"--host-memory must be a positive number of bytes, but is {HostMemory}.");
        }
    }
}
