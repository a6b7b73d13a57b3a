using System;
using System.Collections.Generic;
using Kvpr.Backend;
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

        public UnfusedLayerCompute(IDevice device, IDeviceOps ops, ModelSpec spec, DeviceWeights weights, StepBuffers buffers)
        {
            _device = device;
            _ops = ops;
            _spec = spec;
            _weights = weights;
            _ropeFrequencies = spec.RopeTheta > 0 ? device.Upload(new RopeFrequencies(spec)) : null;
            // Scratch of the compute stream, which runs one node at a time.
            long rows = (long)buffers.MaxBatch * buffers.MaxNewTokens;
            _normed = device.Allocate(rows * spec.Hidden);
            _query = device.Allocate(rows * spec.Hidden);
            _context = device.Allocate(rows * spec.Hidden);
            _projected = device.Allocate(rows * spec.Hidden);
            _up = device.Allocate(rows * spec.FfnHidden);
            _gate = spec.GatedMlp ? device.Allocate(rows * spec.FfnHidden) : null;
            _logitsRow = new float[spec.Vocab];
        }

        /// <inheritdoc/>
        public void Embed(IStream stream, MicroBatch batch, IReadOnlyList<int> tokenIds, int first, int count) =>
            _ops.Embed(stream, tokenIds, _weights.Get(WeightMapRole.TokenEmbedding), _weights.Find(WeightMapRole.PositionEmbedding),
                first, _spec.PositionOffset, batch.Rows(batch.Hidden, count, _spec.Hidden));

        /// <inheritdoc/>
        public void RecomputeKv(IStream stream, MicroBatch batch, int layer, IDeviceBuffer slot, KvBuffer kv, int start, int end)
        {
            var chunk = ActivationChunk.For(batch.Sequences, start, end, _spec.Hidden);
            var x = new DeviceMatrix(slot, chunk.Offset, chunk.Sequences, chunk.Tokens, chunk.Tokens, _spec.Hidden);
            ProjectKv(stream, batch, layer, x, kv, start);
        }

        /// <inheritdoc/>
        public void AttentionBlock(IStream stream, MicroBatch batch, int layer, KvBuffer kv, int first, int count)
        {
            int h = _spec.Hidden;
            var hidden = batch.Rows(batch.Hidden, count, h);
            var normed = batch.Rows(kv.NewActivations, count, h);
            Normalize(stream, hidden, WeightMapRole.AttentionNormWeight, WeightMapRole.AttentionNormBias, layer, normed);

            var query = batch.Rows(_query, count, h);
            _ops.Gemm(stream, normed, _weights.Get(WeightMapRole.QueryWeight, layer), _weights.Find(WeightMapRole.QueryBias, layer), query);
            if (_ropeFrequencies is not null)
                _ops.Rope(stream, query, _spec.HeadDim, first, _ropeFrequencies);
            ProjectKv(stream, batch, layer, normed, kv, first);

            var context = batch.Rows(_context, count, h);
            _ops.Attention(stream, query,
                kv.Tokens(kv.Keys, batch.Sequences, 0, first + count, _spec.KvDim),
                kv.Tokens(kv.Values, batch.Sequences, 0, first + count, _spec.KvDim),
                context, _spec.Heads, _spec.KvHeads, _spec.SlidingWindow);
            var projected = batch.Rows(_projected, count, h);
            _ops.Gemm(stream, context, _weights.Get(WeightMapRole.AttentionOutputWeight, layer), _weights.Find(WeightMapRole.AttentionOutputBias, layer), projected);
            _ops.Add(stream, hidden, projected);
        }

        /// <inheritdoc/>
        public void MlpBlock(IStream stream, MicroBatch batch, int layer, int count)
        {
            int h = _spec.Hidden, f = _spec.FfnHidden;
            var hidden = batch.Rows(batch.Hidden, count, h);
            var normed = batch.Rows(_normed, count, h);
            Normalize(stream, hidden, WeightMapRole.MlpNormWeight, WeightMapRole.MlpNormBias, layer, normed);
            var up = batch.Rows(_up, count, f);
            _ops.Gemm(stream, normed, _weights.Get(WeightMapRole.UpWeight, layer), _weights.Find(WeightMapRole.UpBias, layer), up);
            var activated = up;
            if (_gate is IDeviceBuffer gate)
            {
                activated = batch.Rows(gate, count, f);
                _ops.Gemm(stream, normed, _weights.Get(WeightMapRole.GateWeight, layer), _weights.Find(WeightMapRole.GateBias, layer), activated);
                _ops.GatedActivate(stream, activated, up, _spec.Activation);
            }
            else
            {
                _ops.Activate(stream, up, _spec.Activation);
            }
            var projected = batch.Rows(_projected, count, h);
            _ops.Gemm(stream, activated, _weights.Get(WeightMapRole.DownWeight, layer), _weights.Find(WeightMapRole.DownBias, layer), projected);
            _ops.Add(stream, hidden, projected);
        }

        /// <inheritdoc/>
        public void FinalNormAndHead(IStream stream, MicroBatch batch, int count, bool allTokens)
        {
            int h = _spec.Hidden, rows = allTokens ? count : 1;
            var hidden = batch.Rows(batch.Hidden, count, h).TokenRange(count - rows, rows);
            var normed = batch.Rows(_normed, count, h).TokenRange(count - rows, rows);
            Normalize(stream, hidden, WeightMapRole.FinalNormWeight, WeightMapRole.FinalNormBias, null, normed);
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
        private void ProjectKv(IStream stream, MicroBatch batch, int layer, DeviceMatrix x, KvBuffer kv, int first)
        {
            var keys = kv.Tokens(kv.Keys, batch.Sequences, first, x.Tokens, _spec.KvDim);
            var values = kv.Tokens(kv.Values, batch.Sequences, first, x.Tokens, _spec.KvDim);
            _ops.ProjectKv(stream, x, _weights.Get(WeightMapRole.KeyWeight, layer), _weights.Find(WeightMapRole.KeyBias, layer),
                _weights.Get(WeightMapRole.ValueWeight, layer), _weights.Find(WeightMapRole.ValueBias, layer), keys, values, _spec.HeadDim, first, _ropeFrequencies);
        }

        private void Normalize(IStream stream, DeviceMatrix x, WeightMapRole scale, WeightMapRole bias, int? layer, DeviceMatrix y)
        {
            if (_spec.Norm == NormKind.LayerNorm)
                _ops.LayerNorm(stream, x, _weights.Get(scale, layer), _weights.Get(bias, layer), y, _spec.NormEps);
            else
                _ops.RmsNorm(stream, x, _weights.Get(scale, layer), y, _spec.NormEps);
        }
    }
}
