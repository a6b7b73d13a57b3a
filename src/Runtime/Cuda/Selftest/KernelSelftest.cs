using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Numerics.Tensors;
using Kvpr.Backend;
using Kvpr.Cpu;
using Kvpr.Host;
using Kvpr.Kernels;
using Kvpr.Runtime.Cuda.Backend;
using Kvpr.Runtime.Cuda.Launchers;

namespace Kvpr.Runtime.Cuda.Selftest
{
    /// <summary>
    /// Each generated kernel against the CPU backend's op on the same (16-bit rounded) random inputs, at several
    /// sizes, for an OPT-like and a grouped-query Llama-like model: outputs poisoned with NaN first, relative error
    /// ‖gpu − cpu‖ / ‖cpu‖ reported.
    /// </summary>
    public sealed class KernelSelftest
    {
        /// <summary>fp16 outputs round at 2⁻¹¹ relative; float arithmetic in different orders adds little.</summary>
        public const double Tolerance = 2e-3;

        private readonly int _deviceIndex;
        private readonly Random _random = new(31);
        private readonly CpuOps _cpu = new();
        private readonly IStream _cpuStream = new CpuStream();

        public KernelSelftest(int deviceIndex = 0) => _deviceIndex = deviceIndex;

        /// <summary>
        /// Small models that between them reach every entry point: LayerNorm, biases, ReLU; RMSNorm, RoPE, GQA, SiLU
        /// gate; a multi-query one with head dim 80 (10 chunks of 8 on 16 lanes) whose group of 8 query heads
        /// takes two decode blocks; a Mistral-like one whose sliding window of 40 tokens is shorter than most checked
        /// lengths (so whole partitions and prefill tiles fall outside it); and a Qwen2-like one with q, k, v biases and
        /// Llama 3 RoPE scaling. Heads of 64 and 80 run prefill on the tensor cores with key tiles of 64; two more models
        /// reach its other shapes: heads of 128 (OPT-6.7B's) and of 256 (key tiles of 16).
        /// </summary>
        public static IReadOnlyList<ModelSpec> Models { get; } = new[]
        {
            ModelSpec.Opt("kernel-check-opt", hidden: 256, layers: 1, heads: 4, ffnHidden: 1024, vocab: 1000, maxPositions: 4096),
            ModelSpec.Llama("kernel-check-llama-gqa", hidden: 512, layers: 1, heads: 8, kvHeads: 2, ffnHidden: 1376, vocab: 1000, maxPositions: 4096),
            ModelSpec.Llama("kernel-check-llama-mqa-d80", hidden: 640, layers: 1, heads: 8, kvHeads: 1, ffnHidden: 1024, vocab: 1000, maxPositions: 4096),
            ModelSpec.Mistral("kernel-check-mistral-window-40", hidden: 512, layers: 1, heads: 8, kvHeads: 2, ffnHidden: 1376, vocab: 1000, maxPositions: 4096, slidingWindow: 40),
            ModelSpec.Qwen2("kernel-check-qwen2-llama3-rope", hidden: 512, layers: 1, heads: 8, kvHeads: 2, ffnHidden: 1376, vocab: 1000, maxPositions: 4096, ropeTheta: 500000) with
            {
                RopeScaling = RopeScaling.Llama3, RopeScalingFactor = 8, RopeLowFrequencyFactor = 1, RopeHighFrequencyFactor = 4, RopeOriginalMaxPositions = 256,
            },
            ModelSpec.Opt("kernel-check-opt-d128", hidden: 512, layers: 1, heads: 4, ffnHidden: 1024, vocab: 1000, maxPositions: 4096),
            ModelSpec.Llama("kernel-check-llama-d256", hidden: 1024, layers: 1, heads: 4, kvHeads: 2, ffnHidden: 1376, vocab: 1000, maxPositions: 4096),
        };

        public IEnumerable<SelftestCheck> Run()
        {
            foreach (var spec in Models)
            {
                CudaComputeDevice? device = null;
                EmittedKernels? kernels = null;
                string? failure = null;
                try
                {
                    device = new CudaComputeDevice(CudaDevice.Open(_deviceIndex), CudaElementTypes.For(spec.WeightType));
                    kernels = new EmittedKernels(device, KernelEmitter.Emit(spec));
                }
                catch (Exception e)
                {
                    failure = $"{e.GetType().Name}: {e.Message}";
                }
                if (failure is not null)
                {
                    device?.Dispose();
                    yield return new SelftestCheck($"kernels of {spec.Name}", false, failure);
                    continue;
                }
                using (device)
                {
                    var check = new Checker(device!, kernels!, spec, this);
                    foreach (int rows in new[] { 1, 7, 64 })
                    {
                        yield return check.Guarded($"{spec.Name} normalize, {rows} rows", () => check.Normalize(rows));
                        yield return check.Guarded($"{spec.Name} embed, {rows} rows", () => check.Embed(rows));
                        yield return check.Guarded($"{spec.Name} residual add, {rows} rows", () => check.ResidualAdd(rows));
                        yield return check.Guarded($"{spec.Name} MLP activation, {rows} rows", () => check.MlpActivation(rows));
                    }
                    foreach (var (batch, tokens, first) in new[] { (1, 1, 0), (3, 1, 130), (2, 5, 3) })
                        yield return check.Guarded($"{spec.Name} projection epilogues, batch {batch}, {tokens} tokens from {first}", () => check.ProjectionEpilogues(batch, tokens, first));
                    int multiprocessors = device!.Cuda.MultiprocessorCount;
                    foreach (var (batch, length) in new[] { (1, 1), (2, 63), (3, 65), (4, 300), (2, 2049), (32, 1031) })
                        yield return check.Guarded($"{spec.Name} decode attention + combine, batch {batch}, {length} tokens", () => check.DecodeAttention(batch, length, DecodePartitions.For(spec, batch, length, multiprocessors)));
                    // Partitions of one token each, and a launch with two empty partitions past the last token.
                    yield return check.Guarded($"{spec.Name} decode attention + combine, batch 2, 130 tokens in 1-token partitions", () => check.DecodeAttention(2, 130, new DecodePartitions(1, 130)));
                    yield return check.Guarded($"{spec.Name} decode attention + combine, batch 3, 100 tokens in 4 partitions of 50", () => check.DecodeAttention(3, 100, new DecodePartitions(50, 4)));
                    // CPU attention's partial over the last tokens, read by the combine from pinned memory (no CPU attention with a sliding window).
                    if (spec.SlidingWindow == 0)
                        foreach (var (batch, length, hostTokens) in new[] { (1, 2, 1), (3, 300, 120), (2, 1031, 1000) })
                            yield return check.Guarded($"{spec.Name} decode attention + combine with the CPU's partial, batch {batch}, {length} tokens, the last {hostTokens} on the CPU",
                                () => check.DecodeAttention(batch, length, DecodePartitions.For(spec, batch, length - hostTokens, multiprocessors), hostTokens));
                    // Whole prompts, and chunks whose first query sits at a later position (chunked prefill).
                    foreach (var (batch, tokens, first) in new[] { (1, 1, 0), (2, 17, 0), (3, 100, 0), (1, 300, 0), (2, 37, 70), (1, 100, 200) })
                        yield return check.Guarded($"{spec.Name} prefill attention, batch {batch}, {tokens} tokens from {first}", () => check.PrefillAttention(batch, tokens, first));
                }
            }
        }

        /// <summary>The checks of one model on one device.</summary>
        private sealed class Checker(CudaComputeDevice device, EmittedKernels kernels, ModelSpec spec, KernelSelftest owner)
        {
            private const byte Poison = 0xFF;
            private readonly CudaStream _stream = CudaStream.Of(device.CreateStream());
            private readonly CudaElementType _element = device.ElementType;
            private int H => spec.Hidden;

            public SelftestCheck Guarded(string name, Func<(double Error, string Detail)> check)
            {
                try
                {
                    var (error, detail) = check();
                    return new SelftestCheck(name, error <= Tolerance, Invariant($"relative error {error:E2} (limit {Tolerance:E0}){detail}"));
                }
                catch (Exception e)
                {
                    return new SelftestCheck(name, false, $"{e.GetType().Name}: {e.Message}");
                }
            }

            public (double, string) Normalize(int rows)
            {
                var hidden = Random(rows * H, 2);
                var weight = Random(H, 0.5, 1);
                var bias = spec.Norm == NormKind.LayerNorm ? Random(H, 0.5) : null;
                var output = Poisoned(rows * H, _element);
                kernels.Launch(_stream, new LaunchSizes { Rows = rows }, new NormalizeLaunch(
                    Hidden: Upload(hidden, CudaElementType.Float32).Address(), Weight: Upload(weight, _element).Address(), Out: output.Address(),
                    ActivationStore: 0, RowTokens: 1, FirstPosition: 0, StoreCapacity: 0, Bias: bias is null ? null : Upload(bias, _element).Address()));
                var expected = new float[rows * H];
                if (bias is null)
                    owner._cpu.RmsNorm(owner._cpuStream, Matrix(hidden, rows, H), Cpu(weight), Matrix(expected, rows, H), spec.NormEps);
                else
                    owner._cpu.LayerNorm(owner._cpuStream, Matrix(hidden, rows, H), Cpu(weight), Cpu(bias), Matrix(expected, rows, H), spec.NormEps);
                return (Error(Download(output), expected), "");
            }

            public (double, string) Embed(int rows)
            {
                var ids = Enumerable.Range(0, rows).Select(_ => owner._random.Next(spec.Vocab)).ToArray();
                var table = Random(spec.Vocab * H, 1);
                bool positions = spec.Architecture == Architecture.Opt;
                var positionTable = positions ? Random((spec.MaxPositions + spec.PositionOffset) * H, 1) : null;
                var output = Poisoned(rows * H, CudaElementType.Float32);
                var idBuffer = Upload(ids.Select(i => BitConverter.Int32BitsToSingle(i)).ToArray(), CudaElementType.Float32);
                const int first = 5;
                kernels.Launch(_stream, new LaunchSizes { Rows = rows }, new EmbedLaunch(
                    TokenIds: idBuffer.Address(), TokenTable: Upload(table, _element).Address(), Hidden: output.Address(),
                    PositionTable: positionTable is null ? null : Upload(positionTable, _element).Address(),
                    RowTokens: positions ? rows : null, FirstPosition: positions ? first : null));
                var expected = new float[rows * H];
                owner._cpu.Embed(owner._cpuStream, ids, Cpu(table), positionTable is null ? null : Cpu(positionTable), first, spec.PositionOffset, Matrix(expected, 1, rows, H));
                return (Error(Download(output), expected), "");
            }

            public (double, string) ResidualAdd(int rows)
            {
                var hidden = Random(rows * H, 2);
                var x = Random(rows * H, 1);
                var bias = spec.AttentionOutputBias || spec.MlpBias ? Random(H, 0.5) : null;
                var target = Upload(hidden, CudaElementType.Float32);
                var sizes = new LaunchSizes { Rows = rows };
                if (bias is null)
                    kernels.Launch(_stream, sizes, new ResidualAddLaunch(Hidden: target.Address(), X: Upload(x, _element).Address()));
                else
                    kernels.Launch(_stream, sizes, new ResidualAddBiasLaunch(Hidden: target.Address(), X: Upload(x, _element).Address(), Bias: Upload(bias, _element).Address()));
                var expected = (float[])hidden.Clone();
                owner._cpu.Add(owner._cpuStream, Matrix(expected, rows, H), Matrix(x, rows, H));
                if (bias is not null)
                    owner._cpu.Add(owner._cpuStream, Matrix(expected, rows, H), Matrix(Enumerable.Range(0, rows).SelectMany(_ => bias).ToArray(), rows, H));
                return (Error(Download(target), expected), "");
            }

            public (double, string) MlpActivation(int rows)
            {
                int f = spec.FfnHidden;
                if (spec.GatedMlp)
                {
                    var gateUp = Random(rows * 2 * f, 2);
                    var output = Poisoned(rows * f, _element);
                    kernels.Launch(_stream, new LaunchSizes { Rows = rows }, new MlpGatedActivationLaunch(GateUp: Upload(gateUp, _element).Address(), Out: output.Address()));
                    var gate = new float[rows * f];
                    var up = new float[rows * f];
                    for (int r = 0; r < rows; r++)
                    {
                        Array.Copy(gateUp, r * 2 * f, gate, r * f, f);
                        Array.Copy(gateUp, r * 2 * f + f, up, r * f, f);
                    }
                    owner._cpu.GatedActivate(owner._cpuStream, Matrix(gate, rows, f), Matrix(up, rows, f), spec.Activation);
                    return (Error(Download(output), gate), "");
                }
                var x = Random(rows * f, 2);
                var bias = spec.MlpBias ? Random(f, 0.5) : null;
                var buffer = Upload(x, _element);
                kernels.Launch(_stream, new LaunchSizes { Rows = rows }, new MlpActivationLaunch(X: buffer.Address(), Bias: bias is null ? null : Upload(bias, _element).Address()));
                var expected = (float[])x.Clone();
                if (bias is not null)
                    owner._cpu.Add(owner._cpuStream, Matrix(expected, rows, f), Matrix(Enumerable.Range(0, rows).SelectMany(_ => bias).ToArray(), rows, f));
                // The kernel rounds to fp16 once, after the activation; the CPU op sees the same float sum.
                owner._cpu.Activate(owner._cpuStream, Matrix(expected, rows, f), spec.Activation);
                return (Error(Download(buffer), expected), "");
            }

            /// <summary>qkv_epilogue for new tokens [first, first + tokens), then kv_recompute_epilogue for the same rows; both against bias + RoPE + scale on the CPU.</summary>
            public (double, string) ProjectionEpilogues(int batch, int tokens, int first)
            {
                int kvDim = spec.KvDim, width = H + 2 * kvDim, rows = batch * tokens, capacity = first + tokens + 3;
                var qkv = Random(rows * width, 2);
                var bias = spec.AttentionBias ? Random(width, 0.5) : null;
                var query = Poisoned(rows * H, CudaElementType.Float32);
                var keys = Poisoned((long)batch * capacity * kvDim, _element);
                var values = Poisoned((long)batch * capacity * kvDim, _element);
                var biasBuffer = bias is null ? null : Upload(bias, _element);
                var qkvBuffer = Upload(qkv, _element);
                kernels.Launch(_stream, new LaunchSizes { Rows = rows }, new QkvEpilogueLaunch(
                    Qkv: qkvBuffer.Address(), Q: query.Address(), KCache: keys.Address(), VCache: values.Address(),
                    RowTokens: tokens, FirstPosition: first, CacheCapacity: capacity, QkvBias: biasBuffer?.Address()));

                // Expected: bias added, RoPE (the model's inverse frequencies, scaled and rounded) on q and k, q scaled.
                var expectedQ = new float[rows * H];
                var expectedK = new float[rows * kvDim];
                var expectedV = new float[rows * kvDim];
                for (int r = 0; r < rows; r++)
                    for (int c = 0; c < width; c++)
                    {
                        float v = qkv[r * width + c] + (bias?[c] ?? 0);
                        if (c < H) expectedQ[r * H + c] = v;
                        else if (c < H + kvDim) expectedK[r * kvDim + c - H] = v;
                        else expectedV[r * kvDim + c - H - kvDim] = v;
                    }
                if (spec.RopeTheta > 0)
                {
                    var frequencies = Cpu(RotaryFrequencies.For(spec));
                    owner._cpu.Rope(owner._cpuStream, Matrix(expectedQ, batch, tokens, H), spec.HeadDim, first, frequencies);
                    owner._cpu.Rope(owner._cpuStream, Matrix(expectedK, batch, tokens, kvDim), spec.HeadDim, first, frequencies);
                }
                TensorPrimitives.Multiply(expectedQ, 1 / MathF.Sqrt(spec.HeadDim), expectedQ);
                double qkvError = Math.Max(Error(Download(query), expectedQ),
                    Math.Max(Error(Slots(Download(keys), batch, tokens, first, capacity, kvDim), expectedK), Error(Slots(Download(values), batch, tokens, first, capacity, kvDim), expectedV)));

                // The recompute epilogue reads k | v rows only.
                var kv = new float[rows * 2 * kvDim];
                for (int r = 0; r < rows; r++)
                    Array.Copy(qkv, r * width + H, kv, r * 2 * kvDim, 2 * kvDim);
                var recomputedKeys = Poisoned((long)batch * capacity * kvDim, _element);
                var recomputedValues = Poisoned((long)batch * capacity * kvDim, _element);
                kernels.Launch(_stream, new LaunchSizes { Rows = rows }, new KvRecomputeEpilogueLaunch(
                    Kv: Upload(kv, _element).Address(), KCache: recomputedKeys.Address(), VCache: recomputedValues.Address(),
                    RowTokens: tokens, FirstPosition: first, CacheCapacity: capacity, KvBias: biasBuffer?.Address(H, 2 * kvDim)));
                double recomputeError = Math.Max(Error(Slots(Download(recomputedKeys), batch, tokens, first, capacity, kvDim), expectedK),
                    Error(Slots(Download(recomputedValues), batch, tokens, first, capacity, kvDim), expectedV));
                return (Math.Max(qkvError, recomputeError), Invariant($"; qkv_epilogue {qkvError:E2}, kv_recompute_epilogue {recomputeError:E2}"));
            }

            /// <summary>
            /// decode_attention with the given partitions (empty partitions allowed) over the first length − hostTokens tokens,
            /// then attention_combine, which also merges the CPU's partial over the last hostTokens (HostAttention on a pinned
            /// copy of the cache, read in place), against attention over all length tokens.
            /// </summary>
            public unsafe (double, string) DecodeAttention(int batch, int length, DecodePartitions partitions, int hostTokens = 0)
            {
                int kvDim = spec.KvDim, capacity = length + 5, gpuLength = length - hostTokens;
                var q = Random(batch * H, 1);
                var keys = Random(batch * capacity * kvDim, 1);
                var values = Random(batch * capacity * kvDim, 1);
                long partials = (long)batch * spec.Heads * partitions.Count;
                var acc = Poisoned(partials * spec.HeadDim, CudaElementType.Float32);
                var max = Poisoned(partials, CudaElementType.Float32);
                var sum = Poisoned(partials, CudaElementType.Float32);
                var output = Poisoned(batch * H, _element);
                var scaledQ = q.Select(v => v / MathF.Sqrt(spec.HeadDim)).ToArray();
                kernels.Launch(_stream, new LaunchSizes { Partitions = partitions.Count, Batch = batch }, new DecodeAttentionLaunch(
                    Q: Upload(scaledQ, CudaElementType.Float32).Address(), KCache: Upload(keys, _element).Address(), VCache: Upload(values, _element).Address(),
                    PartialAcc: acc.Address(), PartialMax: max.Address(), PartialSum: sum.Address(),
                    Length: gpuLength, TokensPerPartition: partitions.TokensPerPartition, CacheCapacity: capacity));
                using var cpu = hostTokens > 0 ? new HostPartial(device, spec, batch, capacity, keys, values, scaledQ, gpuLength, length) : null;
                kernels.Launch(_stream, new LaunchSizes { Batch = batch }, new AttentionCombineLaunch(
                    PartialAcc: acc.Address(), PartialMax: max.Address(), PartialSum: sum.Address(), Out: output.Address(), Partitions: partitions.Count,
                    HostAcc: cpu?.Acc.Address ?? 0, HostMax: cpu?.Max.Address ?? 0, HostSum: cpu?.Sum.Address ?? 0));
                var expected = new float[batch * H];
                owner._cpu.Attention(owner._cpuStream, Matrix(q, batch, 1, H), new DeviceMatrix(new CpuBuffer(keys), 0, batch, length, capacity, kvDim),
                    new DeviceMatrix(new CpuBuffer(values), 0, batch, length, capacity, kvDim), Matrix(expected, batch, 1, H), spec.Heads, spec.KvHeads, spec.SlidingWindow);
                string host = hostTokens > 0 ? Invariant($", and the CPU's partial over the last {hostTokens} tokens read from pinned memory") : "";
                return (Error(Download(output), expected), Invariant($"; {partitions.Count} partitions of {partitions.TokensPerPartition} tokens{host}"));
            }

            /// <summary>CPU attention over tokens [start, end) of a pinned copy of the cache, its partial left in pinned memory.</summary>
            private sealed unsafe class HostPartial : IDisposable
            {
                private readonly PinnedBuffer _queries, _keys, _values;

                public HostPartial(CudaComputeDevice device, ModelSpec spec, int batch, int capacity, float[] keys, float[] values, float[] scaledQueries, int start, int end)
                {
                    var element = device.ElementType;
                    (_keys, _values) = (Pinned(device, keys, element), Pinned(device, values, element));
                    _queries = Pinned(device, scaledQueries, CudaElementType.Float32);
                    int rows = batch * spec.Heads;
                    Acc = device.Cuda.AllocatePinned((long)rows * spec.HeadDim * sizeof(float));
                    Max = device.Cuda.AllocatePinned((long)rows * sizeof(float));
                    Sum = device.Cuda.AllocatePinned((long)rows * sizeof(float));
                    HostAttention.Run(HostAttentionArgs.For(spec, batch, capacity, start, end, (float*)_queries.Pointer, (void*)_keys.Pointer, (void*)_values.Pointer,
                        element.HostElement(), (float*)Acc.Pointer, (float*)Max.Pointer, (float*)Sum.Pointer));
                }

                public PinnedBuffer Acc { get; }
                public PinnedBuffer Max { get; }
                public PinnedBuffer Sum { get; }

                public void Dispose()
                {
                    foreach (var buffer in new[] { _queries, _keys, _values, Acc, Max, Sum })
                        buffer.Dispose();
                }
            }

            /// <summary><paramref name="values"/> as elements of <paramref name="type"/> in new pinned host memory.</summary>
            private static PinnedBuffer Pinned(CudaComputeDevice device, float[] values, CudaElementType type)
            {
                var buffer = device.Cuda.AllocatePinned(Math.Max(1, (long)values.Length * type.Bytes()));
                type.Narrow(values, buffer.AsSpan<byte>());
                return buffer;
            }

            public (double, string) PrefillAttention(int batch, int tokens, int first)
            {
                int kvDim = spec.KvDim, length = first + tokens, capacity = length + 2;
                var q = Random(batch * tokens * H, 1);
                var keys = Random(batch * capacity * kvDim, 1);
                var values = Random(batch * capacity * kvDim, 1);
                var output = Poisoned(batch * tokens * H, _element);
                var scaledQ = q.Select(v => v / MathF.Sqrt(spec.HeadDim)).ToArray();
                kernels.LaunchPrefillAttention(_stream, new LaunchSizes { Tokens = tokens, Batch = batch }, new PrefillAttentionLaunch(
                    Q: Upload(scaledQ, CudaElementType.Float32).Address(), KCache: Upload(keys, _element).Address(), VCache: Upload(values, _element).Address(),
                    Out: output.Address(), Tokens: tokens, FirstPosition: first, CacheCapacity: capacity));
                var expected = new float[batch * tokens * H];
                owner._cpu.Attention(owner._cpuStream, Matrix(q, batch, tokens, H), new DeviceMatrix(new CpuBuffer(keys), 0, batch, length, capacity, kvDim),
                    new DeviceMatrix(new CpuBuffer(values), 0, batch, length, capacity, kvDim), Matrix(expected, batch, tokens, H), spec.Heads, spec.KvHeads, spec.SlidingWindow);
                return (Error(Download(output), expected), kernels.Has(KernelNames.PrefillAttentionMma) ? "; tensor cores (prefill_attention_mma)" : "");
            }

            /// <summary>Tokens [first, first + tokens) of every sequence of a [batch][capacity][width] cache, dense.</summary>
            private static float[] Slots(float[] cache, int batch, int tokens, int first, int capacity, int width)
            {
                var rows = new float[batch * tokens * width];
                for (int s = 0; s < batch; s++)
                    Array.Copy(cache, ((long)s * capacity + first) * width, rows, (long)s * tokens * width, (long)tokens * width);
                return rows;
            }

            /// <summary>Random values (scale · uniform[−1, 1) + offset) rounded to fp16, as the kernels' 16-bit inputs are.</summary>
            private float[] Random(int count, double scale, double offset = 0) =>
                Enumerable.Range(0, count).Select(_ => (float)(Half)(offset + scale * (2 * owner._random.NextDouble() - 1))).ToArray();

            private CudaTensor Upload(float[] values, CudaElementType type)
            {
                var tensor = device.Allocate(values.Length, type);
                using var staging = Pinned(device, values, type);
                _stream.CopyAsync(tensor.Address(0, values.Length), staging.Address, (long)values.Length * type.Bytes());
                _stream.Synchronize();
                return tensor;
            }

            private CudaTensor Poisoned(long elements, CudaElementType type)
            {
                var tensor = device.Allocate(elements, type);
                _stream.FillAsync(tensor.Memory, Poison);
                return tensor;
            }

            private float[] Download(CudaTensor tensor)
            {
                var values = new float[tensor.Length];
                device.Read(_stream, tensor, 0, values);
                return values;
            }

            private static double Error(float[] actual, float[] expected) =>
                DeviceReference.RelativeError(actual.Select(v => (double)v).ToArray(), expected.Select(v => (double)v).ToArray());

            private static IDeviceBuffer Cpu(float[] values) => new CpuBuffer(values);

            private static DeviceMatrix Matrix(float[] values, int rows, int width) => DeviceMatrix.Dense(new CpuBuffer(values), 1, rows, width);

            private static DeviceMatrix Matrix(float[] values, int sequences, int tokens, int width) => DeviceMatrix.Dense(new CpuBuffer(values), sequences, tokens, width);
        }

        private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
    }
}
