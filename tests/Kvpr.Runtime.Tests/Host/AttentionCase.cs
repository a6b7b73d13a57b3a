using System;
using System.Linq;
using Kvpr.Host;

namespace Kvpr.Runtime.Tests.Host;

/// <summary>
/// Random queries and a host store of K and V for one layer, with the float64 attention over a token range as truth.
/// Tokens outside the range hold NaN, so a kernel that reads past its share cannot pass. The reference reads the
/// stored (rounded) fp16/bf16 values, so only the kernel's fp32 arithmetic is measured. Stored values are uniform in
/// [-1, 1) unless <c>draw</c> picks them.
/// </summary>
internal sealed class AttentionCase
{
    /// <param name="scoreScale">The scores' spread: ~2 standard deviations by default (a softmax neither flat nor one-hot).</param>
    public AttentionCase(int batch, int heads, int kvHeads, int headDim, HostElementType element, int start, int end, int seed,
        Func<Random, float>? draw = null, float scoreScale = 6)
    {
        _draw = draw ?? (r => r.NextSingle() * 2 - 1);
        (Batch, Heads, KvHeads, HeadDim, Element, Start, End) = (batch, heads, kvHeads, headDim, element, start, end);
        Capacity = end + 3;
        var random = new Random(seed);
        float queryScale = scoreScale / MathF.Sqrt(headDim);
        Queries = new float[batch * heads * headDim];
        for (int i = 0; i < Queries.Length; i++)
            Queries[i] = (random.NextSingle() * 2 - 1) * queryScale;
        Keys = new ushort[StoreElements * (element == HostElementType.Float32 ? 2 : 1)];
        Values = new ushort[Keys.Length];
        Fill(Keys, random);
        Fill(Values, random);
    }

    private readonly Func<Random, float> _draw;

    public int Batch { get; }
    public int Heads { get; }
    public int KvHeads { get; }
    public int HeadDim { get; }
    public HostElementType Element { get; }
    public int Start { get; }
    public int End { get; }
    public int Capacity { get; }
    public float[] Queries { get; }

    /// <summary>The store as 16-bit words: fp16 or bf16 bits, or two words per fp32 value.</summary>
    public ushort[] Keys { get; }

    public ushort[] Values { get; }

    public int KvDim => KvHeads * HeadDim;
    public int Rows => Batch * Heads;
    private long StoreElements => (long)Batch * Capacity * KvDim;

    /// <summary>
    /// Runs the kernel over tokens [start, end) into fresh partials: <see cref="HostAttention.Run"/>, or a job on
    /// <paramref name="pool"/> (a non-empty range) to run on more threads than the machine's cores leave it.
    /// </summary>
    public unsafe (float[] Acc, float[] Max, float[] Sum) Run(int start, int end, HostWorkerPool? pool = null)
    {
        var (acc, max, sum) = (new float[Rows * HeadDim], new float[Rows], new float[Rows]);
        fixed (float* q = Queries, a = acc, m = max, s = sum)
        fixed (ushort* k = Keys, v = Values)
        {
            var args = new HostAttentionArgs
            {
                Queries = q, Keys = k, Values = v, Element = Element, SequenceStride = (long)Capacity * KvDim,
                Batch = Batch, Heads = Heads, KvHeads = KvHeads, HeadDim = HeadDim, Start = start, End = end,
                Acc = a, Max = m, Sum = s,
            };
            if (pool is null)
                HostAttention.Run(args);
            else
                new HostAttentionJob(pool).Run(args);
        }
        return (acc, max, sum);
    }

    /// <summary>Float64 attention of every (sequence, head) over [Start, End): the max score, Σ exp(score − max) and the normalised output.</summary>
    public (double[] Output, double[] Max, double[] Sum) Reference()
    {
        var (output, maxima, sums) = (new double[Rows * HeadDim], new double[Rows], new double[Rows]);
        int group = Heads / KvHeads;
        for (int row = 0; row < Rows; row++)
        {
            int b = row / Heads, kvHead = row % Heads / group;
            var scores = new double[End - Start];
            for (int t = Start; t < End; t++)
                for (int e = 0; e < HeadDim; e++)
                    scores[t - Start] += (double)Queries[row * HeadDim + e] * Stored(Keys, b, t, kvHead, e);
            double max = scores.Length == 0 ? double.NegativeInfinity : scores.Max();
            for (int t = Start; t < End; t++)
            {
                double weight = Math.Exp(scores[t - Start] - max);
                sums[row] += weight;
                for (int e = 0; e < HeadDim; e++)
                    output[row * HeadDim + e] += weight * Stored(Values, b, t, kvHead, e);
            }
            maxima[row] = max;
            for (int e = 0; e < HeadDim && sums[row] > 0; e++)
                output[row * HeadDim + e] /= sums[row];
        }
        return (output, maxima, sums);
    }

    /// <summary>Where element <paramref name="element"/> of KV head <paramref name="kvHead"/> of a token lies in <see cref="Keys"/> and <see cref="Values"/> (16-bit stores).</summary>
    public long Index(int sequence, int token, int kvHead, int element) => ((long)sequence * Capacity + token) * KvDim + kvHead * HeadDim + element;

    /// <summary>The value the store holds there, as the kernel must read it.</summary>
    public double Stored(ushort[] store, int sequence, int token, int kvHead, int element)
    {
        long index = Index(sequence, token, kvHead, element);
        return Element switch
        {
            HostElementType.Float16 => (double)BitConverter.UInt16BitsToHalf(store[index]),
            HostElementType.BFloat16 => BitConverter.UInt32BitsToSingle((uint)store[index] << 16),
            _ => BitConverter.UInt32BitsToSingle(store[2 * index] | (uint)store[2 * index + 1] << 16),
        };
    }

    private void Fill(ushort[] store, Random random)
    {
        for (int b = 0; b < Batch; b++)
        {
            for (int t = 0; t < Capacity; t++)
            {
                bool attended = t >= Start && t < End;
                for (int i = 0; i < KvDim; i++)
                    Write(store, ((long)b * Capacity + t) * KvDim + i, attended ? _draw(random) : float.NaN);
            }
        }
    }

    private void Write(ushort[] store, long index, float value)
    {
        switch (Element)
        {
            case HostElementType.Float16:
                store[index] = BitConverter.HalfToUInt16Bits((Half)value);
                break;
            case HostElementType.BFloat16:
                store[index] = (ushort)(BitConverter.SingleToUInt32Bits(value) >> 16);
                break;
            default:
                uint bits = BitConverter.SingleToUInt32Bits(value);
                store[2 * index] = (ushort)bits;
                store[2 * index + 1] = (ushort)(bits >> 16);
                break;
        }
    }
}
