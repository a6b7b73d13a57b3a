using System;
using System.Collections.Generic;
using System.Linq;
using Kvpr.Planning;

namespace Kvpr.Cli.Bench
{
    /// <summary>
    /// One benchmarked workload: a model's dimensions and a batch of equal prompts decoded for some new tokens, as
    /// <see cref="MicroBatches"/> micro-batches of <see cref="Batch"/> sequences (column-by-column when more than one),
    /// under a GPU memory cap and a host memory budget where they are given.
    /// The model's positions are widened to the workload's length where only the new tokens run past them, since only
    /// its dimensions matter to the timings (OPT's 2048 positions cannot hold a 2048-token prompt plus new tokens); a
    /// prompt longer than the positions is refused.
    /// </summary>
    internal sealed record BenchCase(ModelSpec Spec, int Batch, int PromptLength, int NewTokens, int MicroBatches = 1, long? GpuMemoryBytes = null, long? HostMemoryBytes = null)
    {
        public static BenchCase Create(ModelSpec spec, int batch, int promptLength, int newTokens, int microBatches = 1, long? gpuMemoryBytes = null, long? hostMemoryBytes = null)
        {
            if (newTokens < 2)
                throw new UsageException($"A benchmark needs at least 2 new tokens (the first comes from the prefill), but --new-tokens is {newTokens}.");
            long length = (long)promptLength + newTokens;
            var timed = promptLength <= spec.MaxPositions && length > spec.MaxPositions ? spec with { MaxPositions = (int)Math.Min(int.MaxValue, length) } : spec;
            var bench = new BenchCase(timed, batch, promptLength, newTokens, microBatches, gpuMemoryBytes, hostMemoryBytes);
            // The workload checks of plan and run: a prompt longer than the model's positions is refused here as there.
            var errors = bench.Workload.Validate(timed).Concat(timed.Validate()).ToArray();
            if (errors.Length > 0)
                throw new UsageException($"{spec.Name} batch {batch} prompt {promptLength} +{newTokens}: {string.Join(" ", errors.Select(e => e.Message))}");
            return bench;
        }

        /// <summary>
        /// The throughput objective: <paramref name="sequences"/> split into the micro-batches whose whole generation
        /// (prefill included) the planner predicts fastest under the cap.
        /// </summary>
        public static BenchCase ForThroughput(ModelSpec spec, HardwareProfile profile, int sequences, int promptLength, int newTokens, long? gpuMemoryBytes,
            long? hostMemoryBytes = null, PlannerOptions? options = null)
        {
            var widened = Create(spec, sequences, promptLength, newTokens, 1, gpuMemoryBytes, hostMemoryBytes);
            var plan = DecodePlanner.PlanThroughput(widened.Spec, profile, widened.Workload, sequences, options).GetPlanOrThrow();
            return widened with { Batch = plan.Workload.Batch, MicroBatches = plan.Workload.MicroBatches };
        }

        /// <summary>Sequences decoded together: every micro-batch's.</summary>
        public int Sequences => Batch * MicroBatches;

        /// <summary>The workload the planner sees.</summary>
        public DecodeWorkload Workload => new()
        {
            Objective = MicroBatches > 1 ? Objective.Throughput : Objective.Latency,
            Batch = Batch, PromptLength = PromptLength, MaxNewTokens = NewTokens, MicroBatches = MicroBatches, GpuMemoryBytes = GpuMemoryBytes,
            HostMemoryBytes = HostMemoryBytes,
        };

        /// <summary>The decode steps the engine runs after the prefill, which yields the first token.</summary>
        public int DecodeSteps => NewTokens - 1;

        /// <summary>s' of decode step <paramref name="step"/> (1-based): the prompt and the tokens generated before it.</summary>
        public int LengthAt(int step) => PromptLength + step - 1;

        public override string ToString() =>
            $"{Spec.Name} batch {(MicroBatches > 1 ? $"{MicroBatches}x{Batch}" : Batch)} prompt {PromptLength} +{NewTokens}{(GpuMemoryBytes is long cap ? $" cap {cap / 1e9:0.#} GB" : "")}{(HostMemoryBytes is long host ? $" host {host / 1e9:0.#} GB" : "")}";

        /// <summary>The workloads of the GPU performance issue: OPT-6.7B at batch 32, 8 (prompt 2048) and 64, OPT-13B at batch 32.</summary>
        public static IReadOnlyList<BenchCase> IssueSuite()
        {
            var opt67 = ModelCatalog.Get("opt-6.7b");
            return new[]
            {
                Create(opt67, 32, 1024, 32),
                Create(opt67, 8, 2048, 32),
                Create(opt67, 64, 1024, 32),
                Create(ModelCatalog.Get("opt-13b"), 32, 1024, 32),
            };
        }
    }
}
