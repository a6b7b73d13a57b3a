using System;

namespace Kvpr.Host
{
    /// <summary>
    /// One call of <see cref="HostAttention.Run"/>: the queries of a layer's decode step, the tokens
    /// [<see cref="Start"/>, <see cref="End"/>) of every sequence in the host store, and where the partial softmax goes.
    /// Token t of sequence b, KV head g, element e lies <c>(long)b * SequenceStride + (long)t * KvDim + g * HeadDim + e</c>
    /// elements after <see cref="Keys"/> (and <see cref="Values"/>).
    /// </summary>
    public readonly unsafe struct HostAttentionArgs
    {
        /// <summary>[batch][heads][headDim], already scaled by 1/√headDim: scores are q·k in natural-log units.</summary>
        public float* Queries { get; init; }

        /// <summary>Token 0 of sequence 0 of one layer's K, in <see cref="Element"/>.</summary>
        public void* Keys { get; init; }

        /// <summary>Token 0 of sequence 0 of one layer's V, in <see cref="Element"/>.</summary>
        public void* Values { get; init; }

        public HostElementType Element { get; init; }

        /// <summary>Elements from a sequence's token 0 to the next sequence's token 0 (the store's capacity × KvDim).</summary>
        public long SequenceStride { get; init; }

        public int Batch { get; init; }
        public int Heads { get; init; }

        /// <summary>Query head h reads KV head h / (Heads / KvHeads): MHA when equal to <see cref="Heads"/>, MQA when 1.</summary>
        public int KvHeads { get; init; }

        public int HeadDim { get; init; }

        /// <summary>First token attended to, in every sequence.</summary>
        public int Start { get; init; }

        /// <summary>One past the last token attended to; equal to <see cref="Start"/> for an empty share.</summary>
        public int End { get; init; }

        /// <summary>Out [batch][heads][headDim]: Σ over tokens of exp(score − max) · v, not normalised.</summary>
        public float* Acc { get; init; }

        /// <summary>Out [batch][heads]: the largest score, −∞ when the range is empty.</summary>
        public float* Max { get; init; }

        /// <summary>Out [batch][heads]: Σ over tokens of exp(score − max), 0 when the range is empty.</summary>
        public float* Sum { get; init; }

        /// <summary>Elements of one token's K (or V) row: KvHeads × HeadDim.</summary>
        public int KvDim => KvHeads * HeadDim;

        /// <summary>
        /// A call for <paramref name="spec"/>'s heads over tokens [<paramref name="start"/>, <paramref name="end"/>) of one
        /// layer of a host store of <paramref name="capacity"/> tokens a sequence (the layout of <c>HostKvStore</c> and of a
        /// KV buffer), the partial softmax going to <paramref name="acc"/>, <paramref name="max"/> and <paramref name="sum"/>.
        /// </summary>
        public static HostAttentionArgs For(ModelSpec spec, int batch, int capacity, int start, int end, float* queries, void* keys, void* values,
            HostElementType element, float* acc, float* max, float* sum) => new()
        {
            Queries = queries, Keys = keys, Values = values, Element = element, SequenceStride = (long)capacity * spec.KvDim,
            Batch = batch, Heads = spec.Heads, KvHeads = spec.KvHeads, HeadDim = spec.HeadDim, Start = start, End = end,
            Acc = acc, Max = max, Sum = sum,
        };

        /// <summary>Throws an <see cref="ArgumentException"/> naming the first field that cannot describe a valid call.</summary>
        public void Validate()
        {
            static void Require(bool condition, string field, string message)
            {
                if (!condition)
                    throw new ArgumentException($"HostAttentionArgs.{field} {message}", field);
            }

            Require(Queries != null, nameof(Queries), "is null.");
            Require(Keys != null, nameof(Keys), "is null.");
            Require(Values != null, nameof(Values), "is null.");
            Require(Acc != null, nameof(Acc), "is null.");
            Require(Max != null, nameof(Max), "is null.");
            Require(Sum != null, nameof(Sum), "is null.");
            Require(Enum.IsDefined(Element), nameof(Element), $"must be Float32, Float16 or BFloat16, but is {(int)Element}.");
            Require(Batch > 0, nameof(Batch), $"must be positive, but is {Batch}.");
            Require(Heads > 0, nameof(Heads), $"must be positive, but is {Heads}.");
            Require(KvHeads > 0 && Heads % KvHeads == 0, nameof(KvHeads), $"must be positive and divide Heads ({Heads}), but is {KvHeads}.");
            Require(HeadDim > 0, nameof(HeadDim), $"must be positive, but is {HeadDim}.");
            Require((long)KvHeads * HeadDim <= int.MaxValue, nameof(HeadDim), $"times KvHeads ({KvHeads}) must fit an int, but HeadDim is {HeadDim}.");
            Require((long)Batch * Heads * HeadDim <= int.MaxValue, nameof(Batch), $"× Heads × HeadDim (the outputs' elements) must fit an int, but Batch is {Batch}.");
            Require(Start >= 0, nameof(Start), $"must be at least 0, but is {Start}.");
            Require(End >= Start, nameof(End), $"must be at least Start ({Start}), but is {End}.");
            // Sequences must not overlap: the last token read of one lies before the next one's token 0.
            Require(Batch == 1 || SequenceStride >= (long)End * KvDim, nameof(SequenceStride),
                $"must hold End × KvDim = {(long)End * KvDim} elements per sequence, but is {SequenceStride}.");
        }
    }
}
