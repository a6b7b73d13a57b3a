using System;
using Kvpr.Planning;

namespace Kvpr.Graphs
{
    /// <summary>
    /// Which piece of a streamed layer's weights a <see cref="OpKind.LoadWeights"/> node copies: piece
    /// <see cref="Index"/> of <see cref="Count"/> equal runs of the layer's elements, in the order its tensors are laid
    /// out. A layer crosses in pieces so that the activations and KV queued behind it on the same link wait for one
    /// piece, not for the whole layer (1.2 GB, 23 ms for OPT-30B), and the GPU is not starved meanwhile.
    /// Every other node has <see cref="Whole"/>.
    /// </summary>
    public sealed record WeightPart(int Index, int Count)
    {
        /// <summary>About how many bytes one piece moves: 0.6 ms of a PCIe 5 x16 link.</summary>
        public const long TargetBytes = 32L << 20;

        public static WeightPart Whole { get; } = new(0, 1);

        /// <summary>The pieces a layer of <paramref name="spec"/> crosses in: its weight bytes over <see cref="TargetBytes"/>, rounded up.</summary>
        public static int CountFor(ModelSpec spec)
        {
            if (spec is null)
                throw new ArgumentNullException(nameof(spec));
            long bytes = spec.LayerWeightElements * spec.ElementBytes;
            return (int)Math.Max(1, (bytes + TargetBytes - 1) / TargetBytes);
        }

        /// <summary>Elements [Start, End) of a layer of <paramref name="elements"/> this piece copies.</summary>
        public (long Start, long End) Range(long elements)
        {
            if (Count < 1 || Index < 0 || Index >= Count)
                throw new InvalidOperationException($"Weight piece {Index} of {Count} does not exist.");
            return (elements * Index / Count, elements * (Index + 1) / Count);
        }

        public override string ToString() => $"piece {Index + 1}/{Count}";
    }
}
