using System;
using System.Collections.Generic;
using Kvpr.Backend;
using Kvpr.Cpu;
using Kvpr.Planning;
using Kvpr.Sampling;

namespace Kvpr.Execution
{
    /// <summary>
    /// The compute of a step composed from a device's unfused <see cref="IDeviceOps"/> (the CPU backend): one op
    /// per GEMM, norm, rotation, activation and residual, following Hugging Face's forward pass.
    /// </summary>
    internal sealed class UnfusedLayerCompute : ILayerCompute
    {
        private readonly IDevice _device;
        private readonly IDeviceOps _ops;
        private readonly ModelSpec _spec;
        private readonly DeviceWeights _weights;
        private readonly IDeviceBuffer? _ropeFrequencies;
        private readonly IDeviceBuffer _normed, _query, _context, _projected, _up;
        private readonly IDeviceBuffer? _gate;
        private readonly float[] _logitsRow;
        private readonly CpuHostAttention _hostAttention;
        private readonly bool _ownsResidual;

        /// <param name="ownsResidual">Whether the blocks add their output (and its bias) to the residual, or, on a tensor-parallel rank that does not own it, replace the hidden state by their partial output.</param>
        public UnfusedLayerCompute(IDevice device, IDeviceOps ops, ModelSpec spec, DeviceWeights weights, StepBuffers buffers, bool ownsResidual)
        {
            _ownsResidual = ownsResidual;
            _device = device;
            _ops = ops;
            _spec = spec;
            _weights = weights;
            _ropeFrequencies = spec.RopeTheta > 0 ? device.Upload(new RopeFrequencies(spec)) : null;
            // The planned scratch of the compute stream, which runs one node at a time; a gated MLP's gate lies in GateUp.
            _normed = buffers.Get(DeviceBufferRole.Normed);
            _query = buffers.Get(DeviceBufferRole.Query);
            _context = buffers.Get(DeviceBufferRole.Context);
            _projected = buffers.Get(DeviceBufferRole.Projected);
            _up = buffers.Get(DeviceBufferRole.Mlp);
            _gate = buffers.Find(DeviceBufferRole.GateUp);
            _logitsRow = new float[spec.Vocab];
            _hostAttention = new CpuHostAttention(spec);
        }

        /// <inheritdoc/>
        public void Embed(IStream stream, MicroBatch batch, IReadOnlyList<int> tokenIds, int first, int count) =>
            _ops.Embed(stream, tokenIds, _weights.Get(WeightMapRole.TokenEmbedding), _weights.Find(WeightMapRole.PositionEmbedding),
                first, _spec.PositionOffset, batch.Rows(batch.Hidden, count, _spec.Hidden));

        /// <inheritdoc/>
        public void RecomputeKv(IStream stream, MicroBatch batch, LayerWeights weights, IDeviceBuffer slot, KvBuffer kv, int start, int end)
        {
            var chunk = ActivationChunk.For(batch.Sequences, start, end, _spec.Hidden);
            var x = new DeviceMatrix(slot, chunk.Offset, chunk.Sequences, chunk.Tokens, chunk.Tokens, _spec.Hidden);
            ProjectKv(stream, batch, weights, x, kv, start);
        }

        /// <inheritdoc/>
        public void QkvProjection(IStream stream, MicroBatch batch, LayerWeights weights, KvBuffer kv, int first, int count)
        {
            int h = _spec.Hidden;
            var hidden = batch.Rows(batch.Hidden, count, h);
            var normed = batch.Rows(kv.NewActivations, count, h);
            Normalize(stream, hidden, Get(weights, WeightMapRole.AttentionNormWeight), Find(weights, WeightMapRole.AttentionNormBias), normed);

            var query = batch.Rows(_query, count, _spec.QueryDim);
            _ops.Gemm(stream, normed, Get(weights, WeightMapRole.QueryWeight), Find(weights, WeightMapRole.QueryBias), query);
            if (_ropeFrequencies is not null)
                _ops.Rope(stream, query, _spec.HeadDim, first, _ropeFrequencies);
            ProjectKv(stream, batch, weights, normed, kv, first);
        }

        /// <inheritdoc/>
        public void HostAttention(IStream stream, MicroBatch batch, int layer, int start, int end) =>
            _hostAttention.Attend(batch, CpuBuffer.Of(_query).Data, layer, start, end);

        /// <inheritdoc/>
        public void AttentionOutput(IStream stream, MicroBatch batch, LayerWeights weights, KvBuffer kv, int first, int count, int hostStart)
        {
            int h = _spec.Hidden, q = _spec.QueryDim;
            var hidden = batch.Rows(batch.Hidden, count, h);
            var context = batch.Rows(_context, count, q);
            if (hostStart < first)
            {
                _hostAttention.AttendWithDevice(batch, CpuBuffer.Of(_query).Data, CpuBuffer.Of(kv.Keys).Data, CpuBuffer.Of(kv.Values).Data, kv.Capacity,
                    hostStart, first, CpuBuffer.Of(_context).Data);
            }
            else
            {
                var query = batch.Rows(_query, count, q);
                _ops.Attention(stream, query,
                    kv.Tokens(kv.Keys, batch.Sequences, 0, first + count, _spec.KvDim),
                    kv.Tokens(kv.Values, batch.Sequences, 0, first + count, _spec.KvDim),
                    context, _spec.Heads, _spec.KvHeads, _spec.SlidingWindow);
            }
            AddToResidual(stream, batch, context, weights, WeightMapRole.AttentionOutputWeight, WeightMapRole.AttentionOutputBias, hidden);
        }

        /// <inheritdoc/>
        public void MlpBlock(IStream stream, MicroBatch batch, LayerWeights weights, int count)
        {
            int h = _spec.Hidden, f = _spec.FfnHidden;
            var hidden = batch.Rows(batch.Hidden, count, h);
            var normed = batch.Rows(_normed, count, h);
            Normalize(stream, hidden, Get(weights, WeightMapRole.MlpNormWeight), Find(weights, WeightMapRole.MlpNormBias), normed);
            var up = batch.Rows(_up, count, f);
            _ops.Gemm(stream, normed, Get(weights, WeightMapRole.UpWeight), Find(weights, WeightMapRole.UpBias), up);
            var activated = up;
            if (_gate is IDeviceBuffer gate)
            {
                activated = batch.Rows(gate, count, f);
                _ops.Gemm(stream, normed, Get(weights, WeightMapRole.GateWeight), Find(weights, WeightMapRole.GateBias), activated);
                _ops.GatedActivate(stream, activated, up, _spec.Activation);
            }
            else
            {
                _ops.Activate(stream, up, _spec.Activation);
            }
            AddToResidual(stream, batch, activated, weights, WeightMapRole.DownWeight, WeightMapRole.DownBias, hidden);
        }

        /// <inheritdoc/>
        public void FinalNormAndHead(IStream stream, MicroBatch batch, int count, bool allTokens)
        {
            int h = _spec.Hidden, rows = allTokens ? count : 1;
            var hidden = batch.Rows(batch.Hidden, count, h).TokenRange(count - rows, rows);
            var normed = batch.Rows(_normed, count, h).TokenRange(count - rows, rows);
            Normalize(stream, hidden, _weights.Get(WeightMapRole.FinalNormWeight), _weights.Find(WeightMapRole.FinalNormBias), normed);
            var logits = batch.Rows(batch.Logits, rows, _spec.Vocab);
            _ops.Gemm(stream, normed, _weights.Get(WeightMapRole.LmHead), null, logits);
        }

        /// <inheritdoc/>
        public void PickGreedy(IStream stream, MicroBatch batch, Span<int> tokens)
        {
            for (int s = 0; s < tokens.Length; s++)
            {
                _device.Read(stream, batch.Logits, (long)s * _spec.Vocab, _logitsRow);
                tokens[s] = TokenDistribution.FirstUnpickable(_logitsRow) < 0 ? TokenDistribution.ArgMax(_logitsRow) : -1;
            }
        }

        // K = X·W_Kᵀ + b then RoPE, V = X·W_Vᵀ + b, into kv at tokens [first, first + x.Tokens).
        private void ProjectKv(IStream stream, MicroBatch batch, LayerWeights weights, DeviceMatrix x, KvBuffer kv, int first)
        {
            var keys = kv.Tokens(kv.Keys, batch.Sequences, first, x.Tokens, _spec.KvDim);
            var values = kv.Tokens(kv.Values, batch.Sequences, first, x.Tokens, _spec.KvDim);
            _ops.ProjectKv(stream, x, Get(weights, WeightMapRole.KeyWeight), Find(weights, WeightMapRole.KeyBias),
                Get(weights, WeightMapRole.ValueWeight), Find(weights, WeightMapRole.ValueBias), keys, values, _spec.HeadDim, first, _ropeFrequencies);
        }

        // hidden += x·Wᵀ + b. A tensor-parallel rank that does not own the residual writes its partial x·Wᵀ alone, without the
        // bias, which the owner adds: the all-reduce that follows sums the ranks' hidden states into the block's output.
        private void AddToResidual(IStream stream, MicroBatch batch, DeviceMatrix x, LayerWeights weights, WeightMapRole weight, WeightMapRole bias, DeviceMatrix hidden)
        {
            if (!_ownsResidual)
            {
                _ops.Gemm(stream, x, Get(weights, weight), null, hidden);
                return;
            }
            var projected = batch.Rows(_projected, hidden.Tokens, hidden.Width);
            _ops.Gemm(stream, x, Get(weights, weight), Find(weights, bias), projected);
            _ops.Add(stream, hidden, projected);
        }

        private void Normalize(IStream stream, DeviceMatrix x, IDeviceBuffer scale, IDeviceBuffer? bias, DeviceMatrix y)
        {
            if (_spec.Norm == NormKind.LayerNorm)
                _ops.LayerNorm(stream, x, scale, bias ?? throw new InvalidOperationException($"Model '{_spec.Name}' uses LayerNorm but has no norm bias."), y, _spec.NormEps);
            else
                _ops.RmsNorm(stream, x, scale, y, _spec.NormEps);
        }

        /// <summary>A layer's tensor of <paramref name="role"/> (one role a tensor on this backend).</summary>
        private static IDeviceBuffer Get(LayerWeights weights, WeightMapRole role) => Find(weights, role)
            ?? throw new InvalidOperationException($"The layer has no {role} weight.");

        private static IDeviceBuffer? Find(LayerWeights weights, WeightMapRole role) => weights[LayerLayout.PerRole.IndexOf(role)];
    }
}
