using BenchmarkDotNet.Attributes;
using Kvpr.Planning;

namespace Kvpr.Planning.Benchmarks
{
    /// <summary>
    /// Time to solve a whole plan: the residency programs at the longest length, then the split of every
    /// (batch, length) bucket — what the source generator does at build time and the CLI at run time.
    /// </summary>
    [MemoryDiagnoser]
    public class PlanTableBenchmarks
    {
        private readonly HardwareProfile _profile = HardwareProfiles.Default;

        /// <summary>OPT-6.7B, batch 32, prompt 1024, 256 new tokens, 16 GB: KV offloaded, 6 batch × 32 length buckets.</summary>
        [Benchmark]
        public DecodePlan LatencyOpt67b() => DecodePlanner.Plan(ModelCatalog.Get("opt-6.7b"), _profile,
            new DecodeWorkload { Batch = 32, PromptLength = 1024, MaxNewTokens = 256, GpuMemoryBytes = 16_000_000_000 }).GetPlanOrThrow();

        /// <summary>OPT-30B, 4 micro-batches of 8, prompt 512, 128 new tokens, 40 GB: weights streamed, 4 × 32 buckets.</summary>
        [Benchmark]
        public DecodePlan ThroughputOpt30b() => DecodePlanner.Plan(ModelCatalog.Get("opt-30b"), _profile,
            new DecodeWorkload { Objective = Objective.Throughput, Batch = 8, MicroBatches = 4, PromptLength = 512, MaxNewTokens = 128, GpuMemoryBytes = 40_000_000_000 })
            .GetPlanOrThrow();
    }
}
