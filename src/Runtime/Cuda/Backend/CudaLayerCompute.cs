using System;
using System.Collections.Generic;
using Kvpr.Backend;
using Kvpr.Execution;
using Kvpr.Kernels;
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
        private readonly int _maxTokenRows;
        private readonly CudaTensor _greedyDevice;
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
            _greedyHost = device.AllocatePinned((long)buffers.MaxBatch * sizeof(int));
        }

        public void Embed(IStream stream, MicroBatch batch, IReadOnlyList<int> tokenIds, int first, int count)
        {
            int rows = batch.Sequences * count;
            if (tokenIds.Count != rows)
                throw new ArgumentException($"Embedding {tokenIds.Count} token ids into {rows} rows.", nameof(tokenIds));
            var cuda = CudaComputeStream.Of(stream).Stream;
            // Each micro-batch stages its ids in its own pinned block: the step's copies finish before the next step writes it.
            // The device side is the micro-batch's planned buffer of 4-byte elements holding the int32 ids.
            if (!_tokenIds.TryGetValue(batch, out var host))
                _tokenIds.Add(batch, host = _device.AllocatePinned((long)_maxTokenRows * sizeof(int)));
            var device = CudaTensor.Of(batch.TokenIds);
            var staged = host.AsSpan<int>();
            for (int i = 0; i < rows; i++)
                staged[i] = tokenIds[i];
            cuda.CopyAsync(device.Address(0, rows), host.Address, (long)rows * sizeof(int));

            var positions = _model.PositionEmbedding;
            Span<(string, KernelArgument)> arguments =
            [
                ("token_ids", device.Address()), ("token_table", _model.TokenEmbedding.Address()), ("hidden", Hidden(batch, rows)),
                ("position_table", positions?.Address() ?? 0UL), ("row_tokens", count), ("first_position", first),
            ];
            // Without learned positions (Llama) the kernel takes only the first three.
            _kernels.Launch(cuda, KernelNames.Embed, new LaunchSizes { Rows = rows }, positions is null ? arguments[..3] : arguments);
        }

        public void RecomputeKv(IStream stream, MicroBatch batch, LayerWeights layer, IDeviceBuffer slot, KvBuffer kv, int start, int end)
        {
            int tokens = end - start, sequences = batch.Sequences, h = _spec.Hidden, kvWidth = 2 * _spec.KvDim;
            if (tokens <= 0)
                return;
            var compute = CudaComputeStream.Of(stream);
            var weights = new CudaLayerWeights(layer);
            var recomputed = _recomputed ?? throw new InvalidOperationException("The generation's buffers have no recompute output: every layer's KV was planned resident.");
            var chunk = ActivationChunk.For(sequences, start, end, h);
            // W_kv is the last 2·kvDim rows of W_qkv; the chunk's rows of every sequence lie dense, so one GEMM does them all.
            Gemm(compute, CudaTensor.Of(slot).Address(chunk.Offset, (long)chunk.Rows * h), 0, weights.Qkv.Address((long)h * h, (long)kvWidth * h),
                recomputed.Address(0, (long)chunk.Rows * kvWidth), 0, 1, chunk.Rows, kvWidth, h, _device.ElementType);
            var bias = weights.QkvBias;
            Span<(string, KernelArgument)> arguments = [("kv", recomputed.Address()), default, default, default, default, default, ("kv_bias", bias?.Address(h, kvWidth) ?? 0UL)];
            CacheArguments(arguments[1..6], kv, tokens, start);
            _kernels.Launch(compute.Stream, KernelNames.KvRecomputeEpilogue, new LaunchSizes { Rows = sequences * tokens }, WithOptionalLast(arguments, bias));
        }

        public void AttentionBlock(IStream stream, MicroBatch batch, LayerWeights layer, KvBuffer kv, int first, int count)
        {
            int sequences = batch.Sequences, rows = sequences * count, h = _spec.Hidden, qkvWidth = h + 2 * _spec.KvDim;
            var compute = CudaComputeStream.Of(stream);
            var cuda = compute.Stream;
            var weights = new CudaLayerWeights(layer);
            var normed = CudaTensor.Of(kv.NewActivations);
            Normalize(cuda, Hidden(batch, rows), weights.AttentionNorm, weights.AttentionNormBias, normed.Address(0, (long)rows * h), rows, count, first);
            Gemm(compute, normed.Address(0, (long)rows * h), 0, weights.Qkv.Address(), _qkv.Address(0, (long)rows * qkvWidth), 0, 1, rows, qkvWidth, h, _device.ElementType);

            Span<(string, KernelArgument)> epilogue = [("qkv", _qkv.Address()), ("q", _query.Address()), default, default, default, default, default, ("qkv_bias", weights.QkvBias?.Address() ?? 0UL)];
            CacheArguments(epilogue[2..7], kv, count, first);
            _kernels.Launch(cuda, KernelNames.QkvEpilogue, new LaunchSizes { Rows = rows }, WithOptionalLast(epilogue, weights.QkvBias));

            var keys = CudaTensor.Of(kv.Keys).Address();
            var values = CudaTensor.Of(kv.Values).Address();
            if (count == 1)
            {
                // Decode: the new token attends to the s' stored tokens and itself, split over the sequence (flash-decoding).
                int length = first + 1;
                var split = DecodeSplit.For(_spec, sequences, length, _device.Cuda.MultiprocessorCount);
                BufferCapacity.Require(_partialMax.Length * sizeof(float), (long)sequences * _spec.Heads * split.Splits * sizeof(float), "decode attention partials");
                _kernels.Launch(cuda, KernelNames.DecodeAttention, new LaunchSizes { Splits = split.Splits, Batch = sequences },
                    ("q", _query.Address()), ("k_cache", keys), ("v_cache", values),
                    ("partial_acc", _partialAcc.Address()), ("partial_max", _partialMax.Address()), ("partial_sum", _partialSum.Address()),
                    ("length", length), ("tokens_per_split", split.TokensPerSplit), ("cache_capacity", kv.Capacity));
                _kernels.Launch(cuda, KernelNames.AttentionCombine, new LaunchSizes { Batch = sequences },
                    ("partial_acc", _partialAcc.Address()), ("partial_max", _partialMax.Address()), ("partial_sum", _partialSum.Address()),
                    ("out", _context.Address()), ("splits", split.Splits));
            }
            else
            {
                _kernels.Launch(cuda, KernelNames.PrefillAttention, new LaunchSizes { Tokens = count, Batch = sequences },
                    ("q", _query.Address()), ("k_cache", keys), ("v_cache", values), ("out", _context.Address()),
                    ("tokens", count), ("first_position", first), ("cache_capacity", kv.Capacity));
            }
            Gemm(compute, _context.Address(0, (long)rows * h), 0, weights.Output.Address(), _projected.Address(0, (long)rows * h), 0, 1, rows, h, h, _device.ElementType);
            AddResidual(cuda, batch, rows, weights.OutputBias);
        }

        public void MlpBlock(IStream stream, MicroBatch batch, LayerWeights layer, int count)
        {
            int rows = batch.Sequences * count, h = _spec.Hidden, f = _spec.FfnHidden;
            var compute = CudaComputeStream.Of(stream);
            var cuda = compute.Stream;
            var weights = new CudaLayerWeights(layer);
            Normalize(cuda, Hidden(batch, rows), weights.MlpNorm, weights.MlpNormBias, _normed.Address(0, (long)rows * h), rows, count, 0);
            if (_gateUp is CudaTensor gateUp)
            {
                Gemm(compute, _normed.Address(), 0, weights.Up.Address(), gateUp.Address(0, (long)rows * 2 * f), 0, 1, rows, 2 * f, h, _device.ElementType);
                Span<(string, KernelArgument)> arguments = [("gate_up", gateUp.Address()), ("out", _mlp.Address(0, (long)rows * f)), ("gate_up_bias", weights.UpBias?.Address() ?? 0UL)];
                _kernels.Launch(cuda, KernelNames.MlpGatedActivation, new LaunchSizes { Rows = rows }, WithOptionalLast(arguments, weights.UpBias));
            }
            else
            {
                Gemm(compute, _normed.Address(), 0, weights.Up.Address(), _mlp.Address(0, (long)rows * f), 0, 1, rows, f, h, _device.ElementType);
                Span<(string, KernelArgument)> arguments = [("x", _mlp.Address()), ("bias", weights.UpBias?.Address() ?? 0UL)];
                _kernels.Launch(cuda, KernelNames.MlpActivation, new LaunchSizes { Rows = rows }, WithOptionalLast(arguments, weights.UpBias));
            }
            Gemm(compute, _mlp.Address(0, (long)rows * f), 0, weights.Down.Address(), _projected.Address(0, (long)rows * h), 0, 1, rows, h, f, _device.ElementType);
            AddResidual(cuda, batch, rows, weights.DownBias);
        }

        public void FinalNormAndHead(IStream stream, MicroBatch batch, int count, bool allTokens)
        {
            int sequences = batch.Sequences, rows = sequences * count, h = _spec.Hidden, vocab = _spec.Vocab;
            var compute = CudaComputeStream.Of(stream);
            Normalize(compute.Stream, Hidden(batch, rows), _model.FinalNorm, _model.FinalNormBias, _normed.Address(0, (long)rows * h), rows, count, 0);
            var logits = CudaTensor.Of(batch.Logits);
            if (allTokens || count == 1)
            {
                Gemm(compute, _normed.Address(), 0, _model.LmHead.Address(), logits.Address(0, (long)rows * vocab), 0, 1, rows, vocab, h, CudaElementType.Float32);
                return;
            }
            // Only each sequence's last token: one row per sequence, count rows apart.
            Gemm(compute, _normed.Address((long)(count - 1) * h, (long)(rows - count + 1) * h), (long)count * h, _model.LmHead.Address(),
                logits.Address(0, (long)sequences * vocab), vocab, sequences, 1, vocab, h, CudaElementType.Float32);
        }

        /// <summary>The argmax kernel over the last-token logits; only the batch's token ids cross PCIe.</summary>
        public void PickGreedy(IStream stream, MicroBatch batch, Span<int> tokens)
        {
            int sequences = batch.Sequences;
            if (tokens.Length != sequences)
                throw new ArgumentException($"Picking {sequences} tokens into {tokens.Length} slots.", nameof(tokens));
            var cuda = CudaComputeStream.Of(stream).Stream;
            _kernels.Launch(cuda, KernelNames.Argmax, new LaunchSizes { Rows = sequences },
                ("logits", CudaTensor.Of(batch.Logits).Address(0, (long)sequences * _spec.Vocab)), ("tokens", _greedyDevice.Address(0, sequences)));
            cuda.CopyAsync(_greedyHost.Address, _greedyDevice.Address(0, sequences), (long)sequences * sizeof(int));
            cuda.Synchronize();
            _greedyHost.AsSpan<int>()[..sequences].CopyTo(tokens);
        }

        private CudaTensor Planned(DeviceBufferRole role) => CudaTensor.Of(_buffers.Get(role));

        private ulong Hidden(MicroBatch batch, int rows) => CudaTensor.Of(batch.Hidden).Address(0, (long)rows * _spec.Hidden);

        /// <summary>K and V cache outputs of the projection epilogues, rows being tokens [first, first + tokens) of every sequence.</summary>
        private static void CacheArguments(Span<(string, KernelArgument)> into, KvBuffer kv, int tokens, int first)
        {
            into[0] = ("k_cache", CudaTensor.Of(kv.Keys).Address());
            into[1] = ("v_cache", CudaTensor.Of(kv.Values).Address());
            into[2] = ("row_tokens", tokens);
            into[3] = ("first_position", first);
            into[4] = ("cache_capacity", kv.Capacity);
        }

        /// <summary>A bias is the kernel's last parameter when the model has one; the kernel emitted without it takes the rest.</summary>
        private static ReadOnlySpan<(string, KernelArgument)> WithOptionalLast(Span<(string, KernelArgument)> arguments, CudaTensor? bias) =>
            bias is null ? arguments[..^1] : arguments;

        private void Normalize(CudaStream stream, ulong hidden, CudaTensor weight, CudaTensor? bias, ulong output, int rows, int rowTokens, int firstPosition)
        {
            Span<(string, KernelArgument)> arguments =
            [
                ("hidden", hidden), ("weight", weight.Address()), ("out", output), ("activation_store", 0UL),
                ("row_tokens", rowTokens), ("first_position", firstPosition), ("store_capacity", 0), ("bias", bias?.Address() ?? 0UL),
            ];
            _kernels.Launch(stream, KernelNames.Normalize, new LaunchSizes { Rows = rows }, WithOptionalLast(arguments, bias));
        }

        private void AddResidual(CudaStream stream, MicroBatch batch, int rows, CudaTensor? bias)
        {
            var hidden = Hidden(batch, rows);
            var x = _projected.Address(0, (long)rows * _spec.Hidden);
            if (bias is null)
                _kernels.Launch(stream, KernelNames.ResidualAdd, new LaunchSizes { Rows = rows }, ("hidden", hidden), ("x", x));
            else
                _kernels.Launch(stream, KernelNames.ResidualAddBias, new LaunchSizes { Rows = rows }, ("hidden", hidden), ("x", x), ("bias", bias.Address()));
        }

        private void Gemm(CudaComputeStream stream, ulong x, long xStride, ulong weight, ulong y, long yStride, int batches, int m, int n, int k, CudaElementType output) =>
            stream.Gemm.Multiply(x, xStride, weight, y, yStride, batches, m, n, k, _device.ElementType.CublasType(), output.CublasType());
    }
}
