using System;
using System.Collections.Generic;
using Kvpr.Execution;
using Kvpr.Host;

namespace Kvpr.Cpu
{
    /// <summary>
    /// CPU attention on the CPU backend, where "device" and host memory are both fp32 arrays: the CPU lane's partial
    /// softmax over the host store's tokens [l₂, s'), kept per micro-batch until the layer's attention output merges it
    /// with the partials over the tokens the device holds — the stored [0, l₂) and the new token. The same
    /// <see cref="HostAttention"/> kernel and merge run on a GPU machine's host, so fixtures test them end to end.
    /// </summary>
    internal sealed class CpuHostAttention
    {
        private readonly ModelSpec _spec;
        private readonly float _scale;
        private readonly Dictionary<MicroBatch, AttentionPartials> _host = new();
        private AttentionPartials? _stored, _newToken;
        private float[] _queries = Array.Empty<float>();

        public CpuHostAttention(ModelSpec spec)
        {
            _spec = spec;
            _scale = 1 / MathF.Sqrt(spec.HeadDim);
        }

        /// <summary>The CPU lane: one decode step's queries over tokens [start, end) of the host store's layer.</summary>
        public void Attend(MicroBatch batch, float[] query, int layer, int start, int end)
        {
            if (!_host.TryGetValue(batch, out var partials))
                _host.Add(batch, partials = new AttentionPartials(batch.Sequences, _spec.Heads, _spec.HeadDim));
            var store = batch.Store;
            Fold(ScaledQueries(batch, query), CpuBuffer.Of(store.Keys(layer)).Data, CpuBuffer.Of(store.Values(layer)).Data, store.Capacity, start, end, partials);
        }

        /// <summary>
        /// The device's share of a decode step's attention — stored tokens [0, <paramref name="hostStart"/>) and the new
        /// token at <paramref name="length"/> in the KV buffer — merged with the CPU lane's partial into
        /// <paramref name="context"/> [batch][heads · headDim].
        /// </summary>
        public void AttendWithDevice(MicroBatch batch, float[] query, float[] keys, float[] values, int capacity, int hostStart, int length, float[] context)
        {
            if (!_host.TryGetValue(batch, out var host))
                throw new InvalidOperationException("The CPU lane has not attended to this micro-batch's stored tokens before its attention output.");
            int sequences = batch.Sequences;
            _stored = AttentionPartials.AtLeast(_stored, sequences, _spec.Heads, _spec.HeadDim);
            _newToken = AttentionPartials.AtLeast(_newToken, sequences, _spec.Heads, _spec.HeadDim);
            var scaled = ScaledQueries(batch, query);
            Fold(scaled, keys, values, capacity, 0, hostStart, _stored);
            Fold(scaled, keys, values, capacity, length, length + 1, _newToken);
            AttentionPartials.Combine(sequences * _spec.Heads, _spec.HeadDim, context, _stored, _newToken, host);
        }

        /// <summary>The micro-batch's queries [batch][heads · headDim] times 1/√headDim, as the kernel takes them.</summary>
        private float[] ScaledQueries(MicroBatch batch, float[] query)
        {
            int count = batch.Sequences * _spec.QueryDim;
            if (_queries.Length < count)
                _queries = new float[count];
            for (int i = 0; i < count; i++)
                _queries[i] = query[i] * _scale;
            return _queries;
        }

        private unsafe void Fold(float[] queries, float[] keys, float[] values, int capacity, int start, int end, AttentionPartials partials)
        {
            fixed (float* q = queries, k = keys, v = values, acc = partials.Acc, max = partials.Max, sum = partials.Sum)
            {
                HostAttention.Run(HostAttentionArgs.For(_spec, partials.Sequences, capacity, start, end, q, k, v, HostElementType.Float32, acc, max, sum));
            }
        }
    }
}
