using System.Collections.Generic;
using System.Linq;

namespace Kvpr.Graphs
{
    /// <summary>
    /// One disjoint piece of a device buffer: a micro-batch section (of <see cref="BufferKind.ResidentKv"/>)
    /// and one piece of token rows. Two uses conflict exactly when they share a region.
    /// </summary>
    internal sealed record BufferRegion(BufferKind Buffer, int Index, int Section, TokenRange Tokens)
    {
        /// <summary>The regions a node of micro-batch <paramref name="microBatch"/> touches through <paramref name="use"/>.</summary>
        public static IEnumerable<BufferRegion> Of(BufferUse use, int microBatch, int chunks)
        {
            int section = use.Buffer == BufferKind.ResidentKv ? microBatch : 0;
            return use.Tokens.Pieces(chunks).Select(piece => new BufferRegion(use.Buffer, use.Index, section, piece));
        }

        public override string ToString() => Tokens.Kind == TokenRangeKind.None
            ? $"{Buffer}[{Index}]"
            : $"{Buffer}[{Index}]({Tokens}{(Buffer == BufferKind.ResidentKv ? $", micro-batch {Section}" : "")})";
    }
}
