using System;
using System.Collections.Generic;
using System.Linq;
using Kvpr.Planning;

namespace Kvpr.Graphs
{
    /// <summary>
    /// A symbolic range of token positions per sequence, resolved against a <see cref="StepShape"/> at run
    /// time: the graph stays the same for every step while the split l and the length s' change.
    /// </summary>
    public sealed record TokenRange
    {
        private TokenRange(TokenRangeKind kind, int chunk, int chunks)
        {
            Kind = kind;
            Chunk = chunk;
            Chunks = chunks;
        }

        public TokenRangeKind Kind { get; }

        /// <summary>For <see cref="TokenRangeKind.RecomputeChunk"/>: which chunk, from 0; otherwise 0.</summary>
        public int Chunk { get; }

        /// <summary>For <see cref="TokenRangeKind.RecomputeChunk"/>: how many chunks the prefix is cut into; otherwise 1.</summary>
        public int Chunks { get; }

        public static TokenRange None { get; } = new(TokenRangeKind.None, 0, 1);
        public static TokenRange Transferred { get; } = new(TokenRangeKind.Transferred, 0, 1);
        public static TokenRange HostAttended { get; } = new(TokenRangeKind.HostAttended, 0, 1);
        public static TokenRange Stored { get; } = new(TokenRangeKind.Stored, 0, 1);
        public static TokenRange NewToken { get; } = new(TokenRangeKind.NewToken, 0, 1);

        /// <summary>Chunk <paramref name="chunk"/> of <paramref name="chunks"/> of the recomputed prefix [0, l).</summary>
        public static TokenRange RecomputeChunk(int chunk, int chunks)
        {
            if (chunks < 1)
                throw new ArgumentOutOfRangeException(nameof(chunks), chunks, "A prefix is cut into at least one chunk.");
            if (chunk < 0 || chunk >= chunks)
                throw new ArgumentOutOfRangeException(nameof(chunk), chunk, $"Chunk must be in [0, {chunks}).");
            return new TokenRange(TokenRangeKind.RecomputeChunk, chunk, chunks);
        }

        /// <summary>
        /// The positions [Start, End) this range covers in a step of the given shape; empty (Start = End)
        /// when the step has no such tokens, e.g. the transferred range when l = s'.
        /// <see cref="TokenRangeKind.None"/> resolves to the empty span but is never a no-op (see <see cref="IsEmptyFor"/>).
        /// </summary>
        public (int Start, int End) Resolve(StepShape shape)
        {
            switch (Kind)
            {
                case TokenRangeKind.RecomputeChunk:
                    int size = (shape.RecomputeTokens + Chunks - 1) / Chunks;
                    int start = Math.Min(shape.RecomputeTokens, Chunk * size);
                    return (start, Math.Min(shape.RecomputeTokens, start + size));
                case TokenRangeKind.Transferred:
                    return (shape.RecomputeTokens, shape.HostStart);
                case TokenRangeKind.HostAttended:
                    return (shape.HostStart, shape.Length);
                case TokenRangeKind.Stored:
                    return (0, shape.Length);
                case TokenRangeKind.NewToken:
                    return (shape.Length, shape.Length + 1);
                default:
                    return (0, 0);
            }
        }

        /// <summary>Tokens per sequence in this range for the step.</summary>
        public int Count(StepShape shape)
        {
            var (start, end) = Resolve(shape);
            return end - start;
        }

        /// <summary>Whether a node working on this range has nothing to do in the step (it is then a no-op).</summary>
        public bool IsEmptyFor(StepShape shape) => Kind != TokenRangeKind.None && Count(shape) == 0;

        /// <summary>
        /// The disjoint pieces this range is made of when the prefix is cut into <paramref name="chunks"/>:
        /// the stored range is every prefix chunk plus the transferred range; the others are one piece.
        /// Used to check that everything a node reads was written.
        /// </summary>
        public IReadOnlyList<TokenRange> Pieces(int chunks) => Kind == TokenRangeKind.Stored
            ? Enumerable.Range(0, chunks).Select(c => RecomputeChunk(c, chunks)).Append(Transferred).ToArray()
            : new[] { this };

        public override string ToString() => Kind switch
        {
            TokenRangeKind.RecomputeChunk => $"tokens [0, l) chunk {Chunk}/{Chunks}",
            TokenRangeKind.Transferred => "tokens [l, l2)",
            TokenRangeKind.HostAttended => "tokens [l2, s')",
            TokenRangeKind.Stored => "tokens [0, s')",
            TokenRangeKind.NewToken => "new token",
            _ => "whole",
        };
    }
}
