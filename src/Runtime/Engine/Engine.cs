using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Kvpr.Backend;
using Kvpr.Cpu;
using Kvpr.Execution;
using Kvpr.Graphs;
using Kvpr.Kernels;
using Kvpr.Parallelism;
using Kvpr.Planning;
using Kvpr.Runtime.Cuda.Backend;
using Kvpr.Sampling;
using Kvpr.Store;

namespace Kvpr
{
    /// <summary>
    /// Generates tokens with a model whose KV cache lives in host memory: prefill over the prompts, then one
    /// execution graph run per decode step, in which each layer recomputes the K and V of the first l stored
    /// tokens from their activations and copies in the rest. Results do not depend on the split.
    /// With <see cref="EngineOptions.TensorParallel"/> = N the engine is rank 0 of N engines, each on its own CPU device
    /// with its share of the weights (<see cref="ModelWeights.ShareOf"/>), its own host store of its KV heads and its
    /// own buffers, running its rank's graph on its own thread and meeting the others at every all-reduce.
    /// </summary>
    public sealed class Engine : IDisposable
    {
        private readonly IDevice _device;
        private readonly IDeviceModel _model;
        private readonly HostWeights _hostWeights;
        private readonly KeptDeviceBuffers _keptBuffers = new();
        // What this engine's device computes: the model, or its rank's share of it; the split and the other ranks' engines.
        private readonly ModelSpec _share;
        private readonly TensorParallel? _parallel;
        private readonly Engine[] _otherRanks = [];
        private bool _disposed;

        /// <summary>
        /// Uploads <paramref name="weights"/>' embeddings and head to the device and converts every layer's weights into
        /// copy-ready host memory (pinned on CUDA), from which a generation uploads the layers its plan keeps resident
        /// (a later generation with the same device buffers finds them there still) and streams the
        /// others; the weights' source may be closed afterwards. Without a blueprint, each generation
        /// compiles one for its workload from <see cref="EngineOptions.Split"/> (a fixed split, which has no plan, runs
        /// the schedule's graph with every layer's KV offloaded).
        /// </summary>
        /// <exception cref="Kvpr.Runtime.Cuda.CudaUnavailableException">CUDA was asked for and this machine cannot provide it (one sentence saying why).</exception>
        public Engine(ModelWeights weights, EngineOptions? options = null)
            : this(weights, options, kernels: null, blueprint: null)
        {
        }

        /// <summary>An engine that runs <paramref name="blueprint"/>'s plan and graphs, and launches <paramref name="kernels"/>.</summary>
        internal Engine(ModelWeights weights, EngineOptions? options, KernelSet? kernels, EngineBlueprint? blueprint)
            : this(weights, options, kernels, blueprint, TensorParallel.ResidualOwner)
        {
        }

        /// <summary>The engine of <paramref name="rank"/>; rank 0 (or an engine of one rank) opens the other ranks' engines.</summary>
        /// <exception cref="ArgumentException">The model does not split <see cref="EngineOptions.TensorParallel"/> ways (naming the dimension and the ways that work).</exception>
        private Engine(ModelWeights weights, EngineOptions? options, KernelSet? kernels, EngineBlueprint? blueprint, int rank)
        {
            Options = options ?? EngineOptions.Default;
            Options.Check();
            Spec = (weights ?? throw new ArgumentNullException(nameof(weights))).Spec;
            CheckResidency();
            _parallel = Options.TensorParallel > 1 ? TensorParallel.For(Spec, Options.TensorParallel) : null;
            // The blueprint's graphs are the whole model's; the ranks build theirs, following its plan through the options' split.
            Blueprint = _parallel is null ? blueprint : null;
            var share = _parallel is null ? weights : weights.ShareOf(_parallel, rank);
            _share = share.Spec;
            (_device, _model, KernelSourceHash) = Options.Device switch
            {
                ComputeDevice.Cpu => OpenCpu(new CpuDevice(), share, TensorParallel.OwnsResidual(rank)),
                ComputeDevice.Cuda => CudaBackend.Open(weights, Options.DeviceIndex, kernels ?? KernelEmitter.Emit(Spec)),
                _ => throw new ArgumentOutOfRangeException(nameof(options), Options.Device, "Unknown compute device."),
            };
            _hostWeights = HostWeightsOrDispose(share);
            if (_parallel is not null && rank == TensorParallel.ResidualOwner)
                _otherRanks = OpenOtherRanks(weights);
        }

        /// <summary>An engine on a device of the caller's that computes with the CPU's unfused ops (tests count what it allocates).</summary>
        internal Engine(ModelWeights weights, EngineOptions options, IDevice device, IDeviceOps ops)
        {
            Options = options;
            Options.Check();
            if (Options.TensorParallel > 1)
                throw new NotSupportedException("An engine on a given device runs the whole model; tensor parallelism opens a CPU device per rank.");
            Spec = weights.Spec;
            _share = Spec;
            CheckResidency();
            _device = device;
            _model = new DeviceWeights(device, ops, weights);
            _hostWeights = HostWeightsOrDispose(weights);
        }

        public ModelSpec Spec { get; }

        public EngineOptions Options { get; }

        /// <summary>The blueprint whose plan and graphs every generation runs as they are; null when each generation compiles its own.</summary>
        public EngineBlueprint? Blueprint { get; }

        /// <summary>SHA-256 of the CUDA source this engine compiled and launches (<see cref="KernelSet.ContentHash"/>); null on the CPU, which runs no generated kernels.</summary>
        public string? KernelSourceHash { get; }

        /// <summary>
        /// Continues every prompt by up to <see cref="GenerationOptions.MaxNewTokens"/> tokens, picked as
        /// <see cref="GenerationOptions.Sampling"/> says (greedy by default). Prompts of the same length are
        /// decoded together (split into micro-batches for column-by-column); groups of different lengths run one
        /// after another, so <see cref="GenerationResult.Steps"/> holds a prefill (step 0) and its decode steps
        /// per group, in order of each group's first prompt.
        /// </summary>
        /// <exception cref="ArgumentException">A prompt is empty, has a token outside the vocabulary, or would run past the model's positions.</exception>
        /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (checked between steps).</exception>
        public GenerationResult Generate(IReadOnlyList<int[]> prompts, GenerationOptions? options = null,
            CancellationToken cancellationToken = default, IProgress<StepStatistics>? progress = null)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            options ??= GenerationOptions.Default;
            CheckPrompts(prompts, options);
            return _otherRanks.Length == 0
                ? GenerateOnDevice(prompts, options, cancellationToken, progress, allReduce: null)
                : GenerateOnRanks(prompts, options, cancellationToken, progress);
        }

        public void Dispose()
        {
            _disposed = true;
            _keptBuffers.Dispose();
            _device.Dispose();
            foreach (var rank in _otherRanks)
                rank.Dispose();
        }

        /// <summary>
        /// The generation on this engine's device; for a tensor-parallel rank, its share of it, summing its blocks' outputs with
        /// the other ranks' through <paramref name="allReduce"/>.
        /// </summary>
        private GenerationResult GenerateOnDevice(IReadOnlyList<int[]> prompts, GenerationOptions options, CancellationToken cancellationToken,
            IProgress<StepStatistics>? progress, IAllReduce? allReduce)
        {
            // One sampler for all groups: each sequence draws from the stream of its index in prompts.
            var sampler = new Sampler(options.Sampling, prompts.Count);
            var groups = Enumerable.Range(0, prompts.Count).GroupBy(s => prompts[s].Length).Select(g => g.ToArray()).ToArray();
            if (groups.Length == 1)
                return GenerateBatch(prompts, groups[0], sampler, options, cancellationToken, progress, allReduce);

            var tokens = new int[prompts.Count][];
            var steps = new List<StepStatistics>();
            var prefillLogits = new IReadOnlyList<float[]>[prompts.Count];
            var generatedLogits = new IReadOnlyList<float[]>[prompts.Count];
            foreach (var group in groups)
            {
                var result = GenerateBatch(group.Select(s => prompts[s]).ToArray(), group, sampler, options, cancellationToken, progress, allReduce);
                steps.AddRange(result.Steps);
                for (int i = 0; i < group.Length; i++)
                {
                    tokens[group[i]] = result.Tokens[i];
                    if (result.Logits is CapturedLogits logits)
                    {
                        prefillLogits[group[i]] = logits.Prefill[i];
                        generatedLogits[group[i]] = logits.Generated[i];
                    }
                }
            }
            return new GenerationResult(tokens, steps, options.CaptureLogits ? new CapturedLogits(prefillLogits, generatedLogits) : null);
        }

        /// <summary>
        /// Every rank generates on its own thread (rank 0 on the caller's), meeting the others at each all-reduce, which sums in
        /// rank order: all ranks hold the same hidden states, compute the same logits and pick the same tokens, and rank 0's
        /// result is returned. Rank 0 alone reports progress and calls <see cref="GenerationOptions.OnToken"/>, whose decisions the
        /// others follow. A rank that fails releases the others, and its exception is rethrown here.
        /// </summary>
        private GenerationResult GenerateOnRanks(IReadOnlyList<int[]> prompts, GenerationOptions options, CancellationToken cancellationToken, IProgress<StepStatistics>? progress)
        {
            using var allReduce = new CpuAllReduce(1 + _otherRanks.Length);
            using var relay = options.OnToken is { } onToken ? new StopDecisionRelay(onToken, allReduce.Ranks, prompts.Count, allReduce.Aborted) : null;
            GenerationOptions OptionsOf(int rank) => relay is null ? options : options with { OnToken = relay.For(rank) };
            var results = ParallelWorkers.Run(allReduce.Ranks, (rank, released) =>
            {
                // A rank that failed never arrives at the next all-reduce: the ranks waiting there give up.
                using var abort = released.Register(allReduce.Abort);
                var engine = rank == TensorParallel.ResidualOwner ? this : _otherRanks[rank - 1];
                return engine.GenerateOnDevice(prompts, OptionsOf(rank), released, rank == TensorParallel.ResidualOwner ? progress : null, allReduce.Rank(rank));
            }, cancellationToken, "Kvpr tensor-parallel rank");
            return results[TensorParallel.ResidualOwner];
        }

        /// <summary>The engines of ranks 1 to N − 1, each slicing its share from <paramref name="weights"/>; on a failure the opened ones and this one's device are given back.</summary>
        private Engine[] OpenOtherRanks(ModelWeights weights)
        {
            var ranks = new List<Engine>();
            try
            {
                for (int rank = 1; rank < _parallel!.Ways; rank++)
                    ranks.Add(new Engine(weights, Options, kernels: null, blueprint: null, rank));
                return ranks.ToArray();
            }
            catch
            {
                foreach (var opened in ranks)
                    opened.Dispose();
                _device.Dispose();
                throw;
            }
        }

        /// <summary>Generates for prompts of one length, decoded together; <paramref name="sequenceIds"/> are their indices in the caller's list.</summary>
        private GenerationResult GenerateBatch(IReadOnlyList<int[]> prompts, int[] sequenceIds, Sampler sampler, GenerationOptions options,
            CancellationToken cancellationToken, IProgress<StepStatistics>? progress, IAllReduce? allReduce)
        {
            int promptLength = prompts[0].Length;
            int[] sizes = MicroBatching.Sizes(Options.Schedule, Options.MicroBatches, prompts.Count);
            int maxBatch = sizes.Max();
            var workload = MicroBatching.Workload(Options.Schedule, Options.MicroBatches, prompts.Count, promptLength, options.MaxNewTokens)
                with { GpuMemoryBytes = Options.GpuMemoryBytes };
            var (split, residency, graph) = Program(workload);
            if (_share.SlidingWindow > 0 && graph.Nodes.Any(node => node.Op == OpKind.HostAttention))
                throw new NotSupportedException($"{ErrorCodes.InvalidValue}: model '{Spec.Name}' attends through a sliding window of {Spec.SlidingWindow} tokens; " +
                    "CPU attention takes the last stored tokens out of the device's attention, which a window would also cut, so it runs only for models without one.");
            int chunk = DeviceBufferShape.PrefillTokens(maxBatch, promptLength, Options.PrefillRows);
            var shape = new DeviceBufferShape(sizes, workload.MaxLength, chunk, options.CaptureLogits ? chunk : 1);
            var planned = DeviceBufferList.For(_share, shape, residency);
            CheckGpuMemory(planned, residency, workload);

            try
            {
                var buffers = _keptBuffers.For(_device, _share, shape, planned, _hostWeights);
                // Released when the generation ends, before a failure releases the kept buffers too.
                using var allocations = _device.AllocationScope();
                bool keepsKv = !split.RecomputesEverything;
                var microBatches = sizes.Select((size, m) => new MicroBatch(
                    new HostKvStore(_device, _share, size, shape.Capacity, residency.KvResidentLayers, keepsKv), buffers.Hidden[m], buffers.Logits[m], buffers.TokenIds[m])).ToArray();
                var compute = _model.CreateCompute(buffers);
                var executor = new GraphExecutor(_device, graph, residency, new KvTransfers(_device, _share), compute, buffers, microBatches, _hostWeights, options.RecordTimeline, allReduce);
                var run = new GenerationRun(_device, _share, sequenceIds, sampler, options, executor, compute, microBatches);

                var statistics = new List<StepStatistics> { run.Step(0, PrefillChunks(prompts, sizes, chunk, residency, options.CaptureLogits)) };
                progress?.Report(statistics[^1]);

                for (int step = 1; step < options.MaxNewTokens && !run.Finished; step++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    int length = promptLength + step - 1;
                    var recompute = new int[Spec.Layers];
                    var host = new int[Spec.Layers];
                    for (int layer = 0; layer < recompute.Length; layer++)
                    {
                        if (residency.IsKvResident(layer))
                            continue;
                        (recompute[layer], host[layer]) = split.Decide(new SplitRequest(step, layer, maxBatch, length));
                    }
                    statistics.Add(run.Step(step, new StepInputs(length, 1, recompute, run.LastTokens(), false, host)));
                    progress?.Report(statistics[^1]);
                }
                return new GenerationResult(run.Tokens, statistics, run.Logits);
            }
            catch
            {
                // A failed or cancelled generation gives back everything it used, the kept buffers too.
                _keptBuffers.Release();
                throw;
            }
        }

        internal void CheckPrompts(IReadOnlyList<int[]> prompts, GenerationOptions options)
        {
            if (prompts is null || prompts.Count == 0)
                throw new ArgumentException($"{ErrorCodes.InvalidPrompt}: at least one prompt is needed.", nameof(prompts));
            if (options.MaxNewTokens < 1)
                throw new ArgumentOutOfRangeException(nameof(options), options.MaxNewTokens, $"{ErrorCodes.InvalidValue}: MaxNewTokens must be at least 1.");
            for (int s = 0; s < prompts.Count; s++)
            {
                var prompt = prompts[s];
                if (prompt is null || prompt.Length == 0)
                    throw new ArgumentException($"{ErrorCodes.InvalidPrompt}: prompt {s} is empty; every sequence needs at least one token.", nameof(prompts));
                for (int position = 0; position < prompt.Length; position++)
                    if (prompt[position] < 0 || prompt[position] >= Spec.Vocab)
                        throw new ArgumentException($"{ErrorCodes.InvalidPrompt}: prompt {s} has token id {prompt[position]} at position {position}, outside the vocabulary [0, {Spec.Vocab}) of model '{Spec.Name}'.", nameof(prompts));
                if ((long)prompt.Length + options.MaxNewTokens > Spec.MaxPositions)
                    throw new ArgumentException($"{ErrorCodes.InvalidPrompt}: prompt {s} has {prompt.Length} tokens; with {options.MaxNewTokens} new tokens it exceeds the {Spec.MaxPositions} positions of model '{Spec.Name}'.", nameof(prompts));
            }
        }

        private static (IDevice, IDeviceModel, string?) OpenCpu(CpuDevice cpu, ModelWeights weights, bool ownsResidual) =>
            (cpu, new DeviceWeights(cpu, cpu.Ops, weights, ownsResidual), null);

        /// <summary>
        /// What a generation of <paramref name="workload"/> runs: the blueprint's split, residency and graph — this
        /// engine's, or one compiled for the workload from a planned split. Only a group with fewer sequences than the
        /// planned micro-batches gets the blueprint's graph rebuilt for the groups it has. A fixed split (no plan) or an
        /// explicit <see cref="EngineOptions.Residency"/> runs the schedule's graph for that residency. A tensor-parallel rank
        /// follows the whole model's plan (its split and residency) with the graph of its share.
        /// </summary>
        private (SplitPolicy Split, Residency Residency, ExecutionGraph Graph) Program(DecodeWorkload workload)
        {
            if (Blueprint is { } blueprint && Options.Residency is null)
            {
                var planned = blueprint.Graph(Options.Schedule);
                if (planned.MicroBatches != workload.MicroBatches)
                    planned = blueprint.WithGraphs(workload.MicroBatches, planned.ActivationChunks).Graph(Options.Schedule);
                return (SplitPolicy.FromPlan(blueprint.Plan), blueprint.Plan.Residency, planned);
            }
            // Only the schedule's graph is built: a blueprint per generation would also emit every kernel's source again.
            var plan = Blueprint?.Plan ?? Options.Split.PlanFor(Spec, workload);
            var residency = Options.Residency ?? plan?.Residency ?? new Residency(0, Spec.Layers);
            var split = plan is null ? Options.Split : SplitPolicy.FromPlan(plan);
            return (split, residency, ExecutionGraphBuilder.Build(Options.Schedule, _share, residency, workload.MicroBatches, Options.ActivationChunks, split.UsesHostAttention,
                _parallel?.Ways ?? 1));
        }

        private void CheckResidency()
        {
            if (Options.Residency is { } residency && (residency.KvResidentLayers is < 0 || residency.KvResidentLayers > Spec.Layers
                    || residency.WeightResidentLayers is < 0 || residency.WeightResidentLayers > Spec.Layers))
                throw new ArgumentOutOfRangeException(nameof(EngineOptions.Residency), residency,
                    $"{ErrorCodes.InvalidValue}: the residency must keep between 0 and {Spec.Layers} layers' KV and weights of model '{Spec.Name}' on the device.");
        }

        private HostWeights HostWeightsOrDispose(ModelWeights weights)
        {
            try
            {
                return new HostWeights(_device, weights, _model.Layout);
            }
            catch
            {
                _device.Dispose();
                throw;
            }
        }

        /// <summary>
        /// <see cref="EngineOptions.GpuMemoryBytes"/> is a hard cap: a generation whose buffers (and the runtime reserve)
        /// exceed it fails here, before anything is allocated, naming the budget that would fit.
        /// </summary>
        private void CheckGpuMemory(IReadOnlyList<PlannedBuffer> planned, Residency residency, DecodeWorkload workload)
        {
            if (Options.GpuMemoryBytes is not long cap)
                return;
            long needed = DeviceBufferList.Bytes(planned) + MemoryModel.RuntimeReserveBytes;
            if (needed > cap)
                throw new InsufficientMemoryException($"{ErrorCodes.WorkloadDoesNotFit}: {Spec.Name} with {DecodePlanner.DescribeBatch(workload)} at length {workload.MaxLength} " +
                    $"(KV of {residency.KvResidentLayers} and weights of {residency.WeightResidentLayers} of {Spec.Layers} layers on the GPU) needs {needed:N0} bytes of GPU memory, " +
                    $"but the cap is {cap:N0} bytes: a budget of at least {needed:N0} bytes would fit.");
        }


        /// <summary>
        /// The prefill as chunks of <paramref name="chunk"/> prompt tokens: each stores its tokens' X, K, V and attends to
        /// the chunks before it, which offloaded layers bring back as their X and recompute K and V from — half the bytes of
        /// K and V crossing, the way <see cref="CostModel.PrefillSeconds"/> prices it.
        /// </summary>
        private StepInputs[] PrefillChunks(IReadOnlyList<int[]> prompts, int[] sizes, int chunk, Residency residency, bool captureLogits)
        {
            int promptLength = prompts[0].Length;
            var chunks = new StepInputs[(promptLength + chunk - 1) / chunk];
            for (int c = 0; c < chunks.Length; c++)
            {
                int first = c * chunk, count = Math.Min(chunk, promptLength - first);
                var recompute = new int[Spec.Layers];
                for (int layer = residency.KvResidentLayers; layer < Spec.Layers; layer++)
                    recompute[layer] = first;
                chunks[c] = new StepInputs(first, count, recompute, IdsPerMicroBatch(prompts, sizes, first, count), captureLogits);
            }
            return chunks;
        }

        /// <summary>Tokens [first, first + count) of each prompt, per micro-batch, sequence after sequence.</summary>
        private static IReadOnlyList<int>[] IdsPerMicroBatch(IReadOnlyList<int[]> prompts, int[] sizes, int first, int count)
        {
            var result = new IReadOnlyList<int>[sizes.Length];
            for (int m = 0, sequence = 0; m < sizes.Length; sequence += sizes[m], m++)
                result[m] = prompts.Skip(sequence).Take(sizes[m]).SelectMany(p => p.Skip(first).Take(count)).ToArray();
            return result;
        }
    }
}
