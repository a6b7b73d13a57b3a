using System;
using System.Collections.Generic;
using Kvpr.Backend;
using Kvpr.Execution;
using Kvpr.Kernels;
using Kvpr.Runtime.Cuda.Launchers;
using Kvpr.Planning;

namespace Kvpr.Runtime.Cuda.Backend
{
    /// <summary>
    /// The compute nodes of a step as the generated kernels and cuBLAS GEMMs (fp16/bf16 in, fp32 accumulate):
    /// per layer normalize → W_qkv GEMM → qkv_epilogue (q in fp32, K, V into the cache) → decode or prefill
    /// attention → W_o GEMM → residual add, then normalize → up (or gate|up) GEMM → activation → down GEMM →
    /// residual add, with the residual stream in fp32 (docs/kernels.md). Scratch is allocated once per generation.
    /// </summary>
    internal sealed class CudaLayerCompute : ILayerCompute
    {
        private readonly CudaComputeDevice _device;
        private readonly CudaModel _model;
        private readonly ModelSpec _spec;
        private readonly EmittedKernels _kernels;
        private readonly StepBuffers _buffers;
        private readonly CudaTensor _normed, _qkv, _query, _context, _projected, _mlp;
        private readonly CudaTensor? _gateUp, _recomputed;
        private readonly CudaTensor _partialAcc, _partialMax, _partialSum;
        private readonly Dictionary<MicroBatch, PinnedBuffer> _tokenIds = new();
        private readonly Dictionary<MicroBatch, CudaHostAttentionLane> _hostLanes = new();
        private readonly int _maxTokenRows;
        private readonly CudaTensor _greedyDevice;
        private readonly CudaTensor _gemmWorkspace;
        private readonly PinnedBuffer _greedyHost;

        public CudaLayerCompute(CudaComputeDevice device, CudaModel model, StepBuffers buffers)
        {
            _device = device;
            _model = model;
            _spec = model.Spec;
            _kernels = model.Kernels;
            _buffers = buffers;
            _maxTokenRows = buffers.MaxBatch * buffers.MaxNewTokens;
            // The plan's scratch (DeviceBufferList), allocated with the generation's other buffers.
            _normed = Planned(DeviceBufferRole.Normed);
            _qkv = Planned(DeviceBufferRole.Qkv);
            _query = Planned(DeviceBufferRole.Query);
            _context = Planned(DeviceBufferRole.Context);
            _projected = Planned(DeviceBufferRole.Projected);
            _mlp = Planned(DeviceBufferRole.Mlp);
            _gateUp = buffers.Find(DeviceBufferRole.GateUp) is { } gateUp ? CudaTensor.Of(gateUp) : null;
            // Only offloaded layers recompute; without them the plan has no recompute output.
            _recomputed = buffers.Find(DeviceBufferRole.Recomputed) is { } recomputed ? CudaTensor.Of(recomputed) : null;
            _partialAcc = Planned(DeviceBufferRole.PartialAccumulators);
            _partialMax = Planned(DeviceBufferRole.PartialMaxima);
            _partialSum = Planned(DeviceBufferRole.PartialSums);
            // The device side is a buffer of 4-byte elements holding the int32 ids.
            _greedyDevice = Planned(DeviceBufferRole.GreedyTokens);
            _gemmWorkspace = Planned(DeviceBufferRole.LibraryWorkspace);
            _greedyHost = device.AllocatePinned((long)buffers.MaxBatch * sizeof(int));
        }

        public void Embed(IStream stream, MicroBatch batch, IReadOnlyList<int> tokenIds, int first, int count)
        {
            int rows = batch.Sequences * count;
            if (tokenIds.Count != rows)
                throw new ArgumentException($"Embedding {tokenIds.Count} token ids into {rows} rows.", nameof(tokenIds));
            var cuda = CudaStream.Of(stream);
            // Each micro-batch stages its ids in its own pinned block: the step's copies finish before the next step writes it.
            // The device side is the micro-batch's planned buffer of 4-byte elements holding the int32 ids.
            if (!_tokenIds.TryGetValue(batch, out var host))
                _tokenIds.Add(batch, host = _device.AllocatePinned((long)_maxTokenRows * sizeof(int)));
            var device = CudaTensor.Of(batch.TokenIds);
            var staged = host.AsSpan<int>();
            for (int i = 0; i < rows; i++)
                staged[i] = tokenIds[i];
            cuda.CopyAsync(device.Address(0, rows), host.Address, (long)rows * sizeof(int));

            // Without learned positions (Llama) the kernel takes no position table and no row mapping.
            var positions = _model.PositionEmbedding;
            _kernels.Launch(cuda, new LaunchSizes { Rows = rows }, new EmbedLaunch(
                TokenIds: device.Address(), TokenTable: _model.TokenEmbedding.Address(), Hidden: Hidden(batch, rows),
                PositionTable: positions?.Address(), RowTokens: positions is null ? null : count, FirstPosition: positions is null ? null : first));
        }

        public void RecomputeKv(IStream stream, MicroBatch batch, LayerWeights layer, IDeviceBuffer slot, KvBuffer kv, int start, int end)
        {
            int tokens = end - start, sequences = batch.Sequences, h = _spec.Hidden, kvWidth = 2 * _spec.KvDim;
            if (tokens <= 0)
                return;
            var cuda = CudaStream.Of(stream);
            var weights = new CudaLayerWeights(layer);
            var recomputed = _recomputed ?? throw new InvalidOperationException("The generation's buffers have no recompute output: every layer's KV was planned resident.");
            var chunk = ActivationChunk.For(sequences, start, end, h);
            // W_kv is the last 2·kvDim rows of W_qkv; the chunk's rows of every sequence lie dense, so one GEMM does them all.
            Gemm(cuda, CudaTensor.Of(slot).Address(chunk.Offset, (long)chunk.Rows * h), 0, weights.Qkv.Address((long)h * h, (long)kvWidth * h),
                recomputed.Address(0, (long)chunk.Rows * kvWidth), 0, 1, chunk.Rows, kvWidth, h, _device.ElementType);
            _kernels.Launch(cuda, new LaunchSizes { Rows = sequences * tokens }, new KvRecomputeEpilogueLaunch(
                Kv: recomputed.Address(), KCache: CudaTensor.Of(kv.Keys).Address(), VCache: CudaTensor.Of(kv.Values).Address(),
                RowTokens: tokens, FirstPosition: start, CacheCapacity: kv.Capacity, KvBias: weights.QkvBias?.Address(h, kvWidth)));
        }

        public void QkvProjection(IStream stream, MicroBatch batch, LayerWeights layer, KvBuffer kv, int first, int count)
        {
            int sequences = batch.Sequences, rows = sequences * count, h = _spec.Hidden, qkvWidth = h + 2 * _spec.KvDim;
            var cuda = CudaStream.Of(stream);
            var weights = new CudaLayerWeights(layer);
            var normed = CudaTensor.Of(kv.NewActivations);
            Normalize(cuda, Hidden(batch, rows), weights.AttentionNorm, weights.AttentionNormBias, normed.Address(0, (long)rows * h), rows, count, first);
            Gemm(cuda, normed.Address(0, (long)rows * h), 0, weights.Qkv.Address(), _qkv.Address(0, (long)rows * qkvWidth), 0, 1, rows, qkvWidth, h, _device.ElementType);
            _kernels.Launch(cuda, new LaunchSizes { Rows = rows }, new QkvEpilogueLaunch(
                Qkv: _qkv.Address(), Q: _query.Address(), KCache: CudaTensor.Of(kv.Keys).Address(), VCache: CudaTensor.Of(kv.Values).Address(),
                RowTokens: count, FirstPosition: first, CacheCapacity: kv.Capacity, QkvBias: weights.QkvBias?.Address()));
        }

        public void HostAttention(IStream stream, MicroBatch batch, int layer, int start, int end)
        {
            if (!_hostLanes.TryGetValue(batch, out var lane))
                _hostLanes.Add(batch, lane = new CudaHostAttentionLane(_device, _spec, batch.Sequences));
            lane.Attend(CudaStream.Of(stream), _query.Address(0, (long)batch.Sequences * _spec.Hidden), batch.Store, layer, start, end);
        }

        public void AttentionOutput(IStream stream, MicroBatch batch, LayerWeights layer, KvBuffer kv, int first, int count, int hostStart)
        {
            int sequences = batch.Sequences, rows = sequences * count, h = _spec.Hidden;
            var cuda = CudaStream.Of(stream);
            var weights = new CudaLayerWeights(layer);
            if (count == 1)
                DecodeAttention(cuda, batch, kv, first, hostStart);
            else
                _kernels.LaunchPrefillAttention(cuda, new LaunchSizes { Tokens = count, Batch = sequences }, new PrefillAttentionLaunch(
                    Q: _query.Address(), KCache: CudaTensor.Of(kv.Keys).Address(), VCache: CudaTensor.Of(kv.Values).Address(), Out: _context.Address(),
                    Tokens: count, FirstPosition: first, CacheCapacity: kv.Capacity));
            Gemm(cuda, _context.Address(0, (long)rows * h), 0, weights.Output.Address(), _projected.Address(0, (long)rows * h), 0, 1, rows, h, h, _device.ElementType);
            AddResidual(cuda, batch, rows, weights.OutputBias);
        }

        /// <summary>
        /// The new token attends to the stored tokens and itself, in partitions of the sequence (flash-decoding). With CPU
        /// attention over [<paramref name="hostStart"/>, s') the GPU's share is [0, hostStart) and the new token, whose K
        /// and V are copied to row hostStart so the share is one run of rows; the combine merges the GPU's partitions with
        /// the CPU's partial, which it reads in place from the lane's pinned buffer.
        /// </summary>
        private void DecodeAttention(CudaStream cuda, MicroBatch batch, KvBuffer kv, int first, int hostStart)
        {
            int sequences = batch.Sequences;
            bool host = hostStart < first;
            var keys = CudaTensor.Of(kv.Keys);
            var values = CudaTensor.Of(kv.Values);
            if (host)
            {
                int kvDim = _spec.KvDim;
                long pitch = (long)kv.Capacity * kvDim, span = (sequences - 1) * pitch + kvDim, rowBytes = (long)kvDim * _device.ElementBytes;
                foreach (var cache in new[] { keys, values })
                    cuda.CopyAsync(cache.Address((long)hostStart * kvDim, span), pitch * _device.ElementBytes, cache.Address((long)first * kvDim, span), pitch * _device.ElementBytes, rowBytes, sequences);
            }
            int length = (host ? hostStart : first) + 1;
            var partitions = DecodePartitions.For(_spec, sequences, length, _device.Cuda.MultiprocessorCount);
            BufferCapacity.Require(_partialMax.Length * sizeof(float), (long)sequences * _spec.Heads * partitions.Count * sizeof(float), "decode attention partials");
            _kernels.Launch(cuda, new LaunchSizes { Partitions = partitions.Count, Batch = sequences }, new DecodeAttentionLaunch(
                Q: _query.Address(), KCache: keys.Address(), VCache: values.Address(),
                PartialAcc: _partialAcc.Address(), PartialMax: _partialMax.Address(), PartialSum: _partialSum.Address(),
                Length: length, TokensPerPartition: partitions.TokensPerPartition, CacheCapacity: kv.Capacity));
            var cpu = host ? _hostLanes[batch].Partial : default;
            _kernels.Launch(cuda, new LaunchSizes { Batch = sequences }, new AttentionCombineLaunch(
                PartialAcc: _partialAcc.Address(), PartialMax: _partialMax.Address(), PartialSum: _partialSum.Address(),
                Out: _context.Address(), Partitions: partitions.Count, HostAcc: cpu.Acc, HostMax: cpu.Max, HostSum: cpu.Sum));
        }

        public void MlpBlock(IStream stream, MicroBatch batch, LayerWeights layer, int count)
        {
            int rows = batch.Sequences * count, h = _spec.Hidden, f = _spec.FfnHidden;
            var cuda = CudaStream.Of(stream);
            var weights = new CudaLayerWeights(layer);
            Normalize(cuda, Hidden(batch, rows), weights.MlpNorm, weights.MlpNormBias, _normed.Address(0, (long)rows * h), rows, count, 0);
            if (_gateUp is CudaTensor gateUp)
            {
                Gemm(cuda, _normed.Address(), 0, weights.Up.Address(), gateUp.Address(0, (long)rows * 2 * f), 0, 1, rows, 2 * f, h, _device.ElementType);
                _kernels.Launch(cuda, new LaunchSizes { Rows = rows },
                    new MlpGatedActivationLaunch(GateUp: gateUp.Address(), Out: _mlp.Address(0, (long)rows * f), GateUpBias: weights.UpBias?.Address()));
            }
            else
            {
                Gemm(cuda, _normed.Address(), 0, weights.Up.Address(), _mlp.Address(0, (long)rows * f), 0, 1, rows, f, h, _device.ElementType);
                _kernels.Launch(cuda, new LaunchSizes { Rows = rows }, new MlpActivationLaunch(X: _mlp.Address(), Bias: weights.UpBias?.Address()));
            }
            Gemm(cuda, _mlp.Address(0, (long)rows * f), 0, weights.Down.Address(), _projected.Address(0, (long)rows * h), 0, 1, rows, h, f, _device.ElementType);
            AddResidual(cuda, batch, rows, weights.DownBias);
        }

        public void FinalNormAndHead(IStream stream, MicroBatch batch, int count, bool allTokens)
        {
            int sequences = batch.Sequences, rows = sequences * count, h = _spec.Hidden, vocab = _spec.Vocab;
            var cuda = CudaStream.Of(stream);
            Normalize(cuda, Hidden(batch, rows), _model.FinalNorm, _model.FinalNormBias, _normed.Address(0, (long)rows * h), rows, count, 0);
            var logits = CudaTensor.Of(batch.Logits);
            if (allTokens || count == 1)
            {
                Gemm(cuda, _normed.Address(), 0, _model.LmHead.Address(), logits.Address(0, (long)rows * vocab), 0, 1, rows, vocab, h, CudaElementType.Float32);
                return;
            }
            // Only each sequence's last token: one row per sequence, count rows apart.
            Gemm(cuda, _normed.Address((long)(count - 1) * h, (long)(rows - count + 1) * h), (long)count * h, _model.LmHead.Address(),
                logits.Address(0, (long)sequences * vocab), vocab, sequences, 1, vocab, h, CudaElementType.Float32);
        }

        /// <summary>The argmax kernel over the last-token logits; only the batch's token ids cross PCIe.</summary>
        public void PickGreedy(IStream stream, MicroBatch batch, Span<int> tokens)
        {
            int sequences = batch.Sequences;
            if (tokens.Length != sequences)
                throw new ArgumentException($"Picking {sequences} tokens into {tokens.Length} slots.", nameof(tokens));
            var cuda = CudaStream.Of(stream);
            _kernels.Launch(cuda, new LaunchSizes { Rows = sequences }, new ArgmaxLaunch(
                Logits: CudaTensor.Of(batch.Logits).Address(0, (long)sequences * _spec.Vocab), Tokens: _greedyDevice.Address(0, sequences)));
            cuda.CopyAsync(_greedyHost.Address, _greedyDevice.Address(0, sequences), (long)sequences * sizeof(int));
            cuda.Synchronize();
            _greedyHost.AsSpan<int>()[..sequences].CopyTo(tokens);
        }

        private CudaTensor Planned(DeviceBufferRole role) => CudaTensor.Of(_buffers.Get(role));

        private ulong Hidden(MicroBatch batch, int rows) => CudaTensor.Of(batch.Hidden).Address(0, (long)rows * _spec.Hidden);

        private void Normalize(CudaStream stream, ulong hidden, CudaTensor weight, CudaTensor? bias, ulong output, int rows, int rowTokens, int firstPosition)
        {
            _kernels.Launch(stream, new LaunchSizes { Rows = rows }, new NormalizeLaunch(
                Hidden: hidden, Weight: weight.Address(), Out: output, ActivationStore: 0,
                RowTokens: rowTokens, FirstPosition: firstPosition, StoreCapacity: 0, Bias: bias?.Address()));
        }

        private void AddResidual(CudaStream stream, MicroBatch batch, int rows, CudaTensor? bias)
        {
            var hidden = Hidden(batch, rows);
            var x = _projected.Address(0, (long)rows * _spec.Hidden);
            if (bias is null)
                _kernels.Launch(stream, new LaunchSizes { Rows = rows }, new ResidualAddLaunch(Hidden: hidden, X: x));
            else
                _kernels.Launch(stream, new LaunchSizes { Rows = rows }, new ResidualAddBiasLaunch(Hidden: hidden, X: x, Bias: bias.Address()));
        }

        private void Gemm(CudaStream stream, ulong x, long xStride, ulong weight, ulong y, long yStride, int batches, int m, int n, int k, CudaElementType output)
        {
            _device.Gemm.Bind(stream, _gemmWorkspace.Memory);
            _device.Gemm.Multiply(x, xStride, weight, y, yStride, batches, m, n, k, _device.ElementType.CublasType(), output.CublasType());
        }
    }
}
