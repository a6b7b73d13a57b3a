using System;
using System.Linq;
using Kvpr.Graphs;
using Kvpr.Planning;

namespace Kvpr.Compiler.Tests.Graphs;

public class TokenRangeTests
{
    [Theory]
    [InlineData(10, 4, new[] { 0, 3, 6, 9, 10 })]
    [InlineData(2, 4, new[] { 0, 1, 2, 2, 2 })]
    [InlineData(8, 1, new[] { 0, 8 })]
    [InlineData(0, 3, new[] { 0, 0, 0, 0 })]
    public void Recompute_chunks_cut_the_prefix_into_ceil_sized_pieces(int recomputeTokens, int chunks, int[] bounds)
    {
        var shape = new StepShape(2, 20, recomputeTokens);
        var spans = Enumerable.Range(0, chunks).Select(c => TokenRange.RecomputeChunk(c, chunks).Resolve(shape)).ToArray();
        spans.ShouldBe(Enumerable.Range(0, chunks).Select(c => (bounds[c], bounds[c + 1])).ToArray());
    }

    [Fact]
    public void The_other_ranges_follow_the_split_and_the_length()
    {
        var shape = new StepShape(3, 20, 7);
        TokenRange.Transferred.Resolve(shape).ShouldBe((7, 20));
        TokenRange.Stored.Resolve(shape).ShouldBe((0, 20));
        TokenRange.NewToken.Resolve(shape).ShouldBe((20, 21));
        TokenRange.Transferred.IsEmptyFor(new StepShape(3, 20, 20)).ShouldBeTrue();
        TokenRange.None.IsEmptyFor(shape).ShouldBeFalse();
    }

    [Fact]
    public void The_stored_range_is_made_of_every_chunk_and_the_transferred_rest()
    {
        TokenRange.Stored.Pieces(3).ShouldBe(new[]
        {
            TokenRange.RecomputeChunk(0, 3), TokenRange.RecomputeChunk(1, 3), TokenRange.RecomputeChunk(2, 3), TokenRange.Transferred,
        });
        TokenRange.NewToken.Pieces(3).ShouldBe(new[] { TokenRange.NewToken });
    }

    [Theory]
    [InlineData(0, 0, "chunks")]
    [InlineData(4, 4, "chunk")]
    [InlineData(-1, 2, "chunk")]
    public void Impossible_chunks_are_refused(int chunk, int chunks, string parameter)
    {
        Should.Throw<ArgumentOutOfRangeException>(() => TokenRange.RecomputeChunk(chunk, chunks)).ParamName.ShouldBe(parameter);
    }
}
