using System.Collections.Generic;
using Kvpr.Backend;

namespace Kvpr.Execution
{
    /// <summary>
    /// What each kind of graph node does (<c>Kvpr.Graphs.OpKind</c>), queued on the stream it is given. A step
    /// appends <c>count</c> new tokens per sequence after the <c>first</c> = s' already in the host store:
    /// a decode step appends one token, prefill the whole prompt to an empty store. Of the stored tokens the
    /// first l get K and V recomputed from their stored activations and the rest [l, s') are copied in.
    /// </summary>
    internal sealed class DecodeOperations
    {
        private readonly IDevice _device;
        private readonly IDeviceOps _ops;
        private readonly ModelSpec _spec;
        private readonly DeviceWeights _weights;
        private readonly StepBuffers _buffers;
        private readonly IDeviceBuffer? _ropeFrequencies;

        public DecodeOperations(IDevice device, ModelSpec spec, DeviceWeights weights, StepBuffers buffers)
        {
            _device = device;
            _ops = device.Ops;
            _spec = spec;
            _weights = weights;
            _buffers = buffers;
            _ropeFrequencies = spec.RopeTheta > 0 ? device.Upload(new RopeFrequencies(spec)) : null;
        }

        /// <summary>Hidden state of the new tokens: token embedding, plus the learned position for OPT.</summary>
        public void Embed(IStream stream, MicroBatch batch, IReadOnlyList<int> tokenIds, int first, int count) =>
            _ops.Embed(stream, tokenIds, _weights.Get(WeightMapRole.TokenEmbedding), _weights.Find(WeightMapRole.PositionEmbedding),
                first, _spec.PositionOffset, batch.Rows(batch.Hidden, count, _spec.Hidden));

        /// <summary>Copies the stored activations X of tokens [start, end) of every sequence into an activation slot.</summary>
        public void LoadActivations(IStream stream, MicroBatch batch, int layer, IDeviceBuffer slot, int start, int end)
        {
            var store = batch.Store;
            long elements = (long)(end - start) * _spec.Hidden;
            for (int s = 0; s < batch.Sequences; s++)
                _device.CopyToDevice(stream, store.Activations(layer), store.ActivationOffset(s, start), slot, store.ActivationOffset(s, start), elements);
            batch.HostToDeviceElements += batch.Sequences * elements;
        }

        /// <summary>K and V of tokens [start, end) from their activations in <paramref name="slot"/>: X·W_Kᵀ + b with RoPE, X·W_Vᵀ + b.</summary>
        public void RecomputeKv(IStream stream, MicroBatch batch, int layer, IDeviceBuffer slot, KvBuffer kv, int start, int end)
        {
            var x = new DeviceMatrix(slot, (long)start * _spec.Hidden, batch.Sequences, end - start, kv.Capacity, _spec.Hidden);
            ProjectKv(stream, batch, layer, x, kv, start);
        }

        /// <summary>Copies the stored K and V of tokens [start, end) of every sequence into <paramref name="kv"/>.</summary>
        public void LoadKv(IStream stream, MicroBatch batch, int layer, KvBuffer kv, int start, int end)
        {
            var store = batch.Store;
            long elements = (long)(end - start) * _spec.KvDim;
            for (int s = 0; s < batch.Sequences; s++)
            {
                long offset = store.KvOffset(s, start);
                _device.CopyToDevice(stream, store.Keys(layer), offset, kv.Keys, offset, elements);
                _device.CopyToDevice(stream, store.Values(layer), offset, kv.Values, offset, elements);
            }
            batch.HostToDeviceElements += 2 * batch.Sequences * elements;
        }

        /// <summary>
        /// The attention half of a layer for the new tokens: input norm (kept in <paramref name="kv"/> as the
        /// tokens' activations X), Q, and K, V written into <paramref name="kv"/> after the stored tokens;
        /// attention over stored and new tokens; output projection; residual.
        /// </summary>
        public void AttentionBlock(IStream stream, MicroBatch batch, int layer, KvBuffer kv, int first, int count)
        {
            int h = _spec.Hidden;
            var hidden = batch.Rows(batch.Hidden, count, h);
            var normed = batch.Rows(kv.NewActivations, count, h);
            Normalize(stream, hidden, WeightMapRole.AttentionNormWeight, WeightMapRole.AttentionNormBias, layer, normed);

            var query = batch.Rows(_buffers.Query, count, h);
            _ops.Gemm(stream, normed, _weights.Get(WeightMapRole.QueryWeight, layer), _weights.Find(WeightMapRole.QueryBias, layer), query);
            if (_ropeFrequencies is not null)
                _ops.Rope(stream, query, _spec.HeadDim, first, _ropeFrequencies);
            ProjectKv(stream, batch, layer, normed, kv, first);

            var context = batch.Rows(_buffers.Context, count, h);
            _ops.Attention(stream, query,
                kv.Tokens(kv.Keys, batch.Sequences, 0, first + count, _spec.KvDim),
                kv.Tokens(kv.Values, batch.Sequences, 0, first + count, _spec.KvDim),
                context, _spec.Heads, _spec.KvHeads);
            var projected = batch.Rows(_buffers.Projected, count, h);
            _ops.Gemm(stream, context, _weights.Get(WeightMapRole.AttentionOutputWeight, layer), _weights.Find(WeightMapRole.AttentionOutputBias, layer), projected);
            _ops.Add(stream, hidden, projected);
        }

        /// <summary>Appends the new tokens' X, K and V from <paramref name="kv"/> to the host store.</summary>
        public void StoreNewTokens(IStream stream, MicroBatch batch, int layer, KvBuffer kv, int first, int count)
        {
            var store = batch.Store;
            var normed = batch.Rows(kv.NewActivations, count, _spec.Hidden);
            long activationElements = (long)count * _spec.Hidden, kvElements = (long)count * _spec.KvDim;
            for (int s = 0; s < batch.Sequences; s++)
            {
                _device.CopyToHost(stream, kv.NewActivations, normed.RowOffset(s, 0), store.Activations(layer), store.ActivationOffset(s, first), activationElements);
                long offset = store.KvOffset(s, first);
                _device.CopyToHost(stream, kv.Keys, offset, store.Keys(layer), offset, kvElements);
                _device.CopyToHost(stream, kv.Values, offset, store.Values(layer), offset, kvElements);
            }
            batch.DeviceToHostElements += batch.Sequences * (activationElements + 2 * kvElements);
        }

        /// <summary>The MLP half of a layer: norm, up (and gate), activation, down, residual.</summary>
        public void MlpBlock(IStream stream, MicroBatch batch, int layer, int count)
        {
            int h = _spec.Hidden, f = _spec.FfnHidden;
            var hidden = batch.Rows(batch.Hidden, count, h);
            var normed = batch.Rows(_buffers.Normed, count, h);
            Normalize(stream, hidden, WeightMapRole.MlpNormWeight, WeightMapRole.MlpNormBias, layer, normed);
            var up = batch.Rows(_buffers.Up, count, f);
            _ops.Gemm(stream, normed, _weights.Get(WeightMapRole.UpWeight, layer), _weights.Find(WeightMapRole.UpBias, layer), up);
            var activated = up;
            if (_buffers.Gate is IDeviceBuffer gate)
            {
                activated = batch.Rows(gate, count, f);
                _ops.Gemm(stream, normed, _weights.Get(WeightMapRole.GateWeight, layer), _weights.Find(WeightMapRole.GateBias, layer), activated);
                _ops.GatedActivate(stream, activated, up, _spec.Activation);
            }
            else
            {
                _ops.Activate(stream, up, _spec.Activation);
            }
            var projected = batch.Rows(_buffers.Projected, count, h);
            _ops.Gemm(stream, activated, _weights.Get(WeightMapRole.DownWeight, layer), _weights.Find(WeightMapRole.DownBias, layer), projected);
            _ops.Add(stream, hidden, projected);
        }

        /// <summary>
        /// Final norm and LM head into the micro-batch's logits [batch][rows][vocab]: for the last new token,
        /// or for every new token when <paramref name="allTokens"/> (prefill logits captured for tests).
        /// </summary>
        public DeviceMatrix FinalNormAndHead(IStream stream, MicroBatch batch, int count, bool allTokens)
        {
            int h = _spec.Hidden, rows = allTokens ? count : 1;
            var hidden = batch.Rows(batch.Hidden, count, h).TokenRange(count - rows, rows);
            var normed = batch.Rows(_buffers.Normed, count, h).TokenRange(count - rows, rows);
            Normalize(stream, hidden, WeightMapRole.FinalNormWeight, WeightMapRole.FinalNormBias, null, normed);
            var logits = batch.Rows(batch.Logits, rows, _spec.Vocab);
            _ops.Gemm(stream, normed, _weights.Get(WeightMapRole.LmHead), null, logits);
            return logits;
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
