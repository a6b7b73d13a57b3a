using System;
using Kvpr.Backend;

namespace Kvpr.Store
{
    /// <summary>
    /// The offloaded state of one micro-batch in host memory: per layer, the normalised attention input X
    /// [batch][capacity][hidden] and K, V [batch][capacity][kvDim] of every token so far (K after RoPE).
    /// Token-major per sequence, so the recomputed prefix [0, l) and the transferred rest [l, s') of a
    /// sequence are each one contiguous range. All sequences of a micro-batch have the same length.
    /// Only what a plan can read is kept: nothing for layers whose KV stays on the device, and no K and V at all when
    /// every step recomputes every stored token.
    /// </summary>
    public sealed class HostKvStore
    {
        private readonly IHostBuffer?[] _activations, _keys, _values;

        /// <param name="firstOffloadedLayer">Layers before it keep their KV on the device and store nothing here.</param>
        /// <param name="keepsKv">Whether K and V are stored (false when every step recomputes every stored token).</param>
        public HostKvStore(IDevice device, ModelSpec spec, int batch, int capacity, int firstOffloadedLayer = 0, bool keepsKv = true)
        {
            if (batch <= 0 || capacity <= 0)
                throw new ArgumentOutOfRangeException(batch <= 0 ? nameof(batch) : nameof(capacity), "A host store needs at least one sequence and one token.");
            Batch = batch;
            Capacity = capacity;
            Hidden = spec.Hidden;
            KvDim = spec.KvDim;
            KeepsKv = keepsKv;
            _activations = new IHostBuffer?[spec.Layers];
            _keys = new IHostBuffer?[spec.Layers];
            _values = new IHostBuffer?[spec.Layers];
            for (int layer = firstOffloadedLayer; layer < spec.Layers; layer++)
            {
                _activations[layer] = device.AllocateHost((long)batch * capacity * Hidden);
                if (!keepsKv)
                    continue;
                _keys[layer] = device.AllocateHost((long)batch * capacity * KvDim);
                _values[layer] = device.AllocateHost((long)batch * capacity * KvDim);
            }
        }

        /// <summary>Whether K and V are stored; without them every step must recompute every stored token.</summary>
        public bool KeepsKv { get; }

        public int Batch { get; }
        public int Capacity { get; }
        public int Hidden { get; }
        public int KvDim { get; }

        /// <summary>Tokens stored for every sequence (s').</summary>
        public int Length { get; private set; }

        public IHostBuffer Activations(int layer) => _activations[layer] ?? throw NotStored("activations", layer);
        public IHostBuffer Keys(int layer) => _keys[layer] ?? throw NotStored("K", layer);
        public IHostBuffer Values(int layer) => _values[layer] ?? throw NotStored("V", layer);

        /// <summary>Element offset of token <paramref name="token"/> of sequence <paramref name="sequence"/> in <see cref="Activations"/>.</summary>
        public long ActivationOffset(int sequence, int token) => ((long)sequence * Capacity + token) * Hidden;

        /// <summary>Element offset of token <paramref name="token"/> of sequence <paramref name="sequence"/> in <see cref="Keys"/> and <see cref="Values"/>.</summary>
        public long KvOffset(int sequence, int token) => ((long)sequence * Capacity + token) * KvDim;

        private InvalidOperationException NotStored(string what, int layer) => new(_activations[layer] is null
            ? $"Layer {layer} keeps its KV on the device; the host store holds nothing of it."
            : $"The host store keeps no {what} (every step was to recompute every stored token), but layer {layer}'s were asked for: a split must recompute all stored tokens with this store.");

        /// <summary>Makes the next <paramref name="tokens"/> tokens, written by a step's layers, part of the store.</summary>
        public void Append(int tokens)
        {
            if (tokens < 0 || Length + tokens > Capacity)
                throw new InvalidOperationException($"The host store holds {Capacity} tokens per sequence; cannot grow from {Length} by {tokens}.");
            Length += tokens;
        }
    }
}
