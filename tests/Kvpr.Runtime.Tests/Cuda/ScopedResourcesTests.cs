using System;
using System.Collections.Generic;
using Kvpr.Runtime.Cuda.Backend;

namespace Kvpr.Runtime.Tests.Cuda;

/// <summary>The CUDA backend's memory lifetime, with fake blocks: scopes, reuse by size, failures and running out of memory.</summary>
public sealed class ScopedResourcesTests
{
    private readonly List<string> _log = new();
    private int _allocations;
    private bool _full;

    [Fact]
    public void A_scope_keeps_its_blocks_for_the_next_allocation_of_that_size_and_disposes_the_rest()
    {
        using var resources = new ScopedResources(() => _log.Add("synchronize"), _ => false);
        var weights = resources.Allocate(100, NewBlock);
        Block first, stream;
        using (resources.Scope())
        {
            first = resources.Allocate(64, NewBlock);
            stream = resources.Track(new Block("stream", _log));
        }

        _log.ShouldBe(new[] { "synchronize", "dispose stream" });
        resources.KeptCount.ShouldBe(1);
        resources.Allocate(64, NewBlock).ShouldBeSameAs(first);
        resources.Allocate(32, NewBlock).ShouldNotBeSameAs(first);
        weights.Disposed.ShouldBeFalse();
        _allocations.ShouldBe(3);
    }

    [Fact]
    public void A_kept_block_serves_a_smaller_allocation_it_holds_in_at_most_twice_its_size()
    {
        using var resources = new ScopedResources(() => { }, _ => false);
        Block large, small;
        using (resources.Scope())
        {
            large = resources.Allocate(100, NewBlock);
            small = resources.Allocate(60, NewBlock);
        }

        resources.Allocate(25, NewBlock).ShouldNotBeSameAs(small);   // 60 > 2 × 25 would waste most of it
        resources.Allocate(55, NewBlock).ShouldBeSameAs(small);      // the smallest that holds it
        resources.Allocate(50, NewBlock).ShouldBeSameAs(large);
        resources.KeptCount.ShouldBe(0);
        _allocations.ShouldBe(3);
    }

    [Fact]
    public void After_a_failed_synchronisation_nothing_is_kept_and_everything_of_the_scope_is_disposed()
    {
        using var resources = new ScopedResources(() => throw new InvalidOperationException("device fault"), _ => false);
        var scope = resources.Scope();
        var block = resources.Allocate(64, NewBlock);

        Should.Throw<InvalidOperationException>(() => scope.Dispose());

        block.Disposed.ShouldBeTrue();
        resources.KeptCount.ShouldBe(0);
    }

    [Fact]
    public void Running_out_of_memory_frees_the_kept_blocks_and_tries_once_more()
    {
        using var resources = new ScopedResources(() => { }, e => e is OutOfMemoryException);
        Block kept;
        using (resources.Scope())
            kept = resources.Allocate(64, NewBlock);
        _full = true;

        var block = resources.Allocate(128, FirstAttemptFails);

        kept.Disposed.ShouldBeTrue();
        block.Disposed.ShouldBeFalse();
        resources.KeptCount.ShouldBe(0);
    }

    [Fact]
    public void Disposing_releases_everything_including_kept_blocks()
    {
        var resources = new ScopedResources(() => { }, _ => false);
        var weights = resources.Allocate(100, NewBlock);
        Block kept;
        using (resources.Scope())
            kept = resources.Allocate(64, NewBlock);

        resources.Dispose();

        weights.Disposed.ShouldBeTrue();
        kept.Disposed.ShouldBeTrue();
    }

    private Block NewBlock(long bytes)
    {
        _allocations++;
        return new Block($"{bytes} bytes", _log);
    }

    /// <summary>The first attempt runs out of memory; the memory is there after the kept blocks are freed.</summary>
    private Block FirstAttemptFails(long bytes)
    {
        if (!_full)
            return NewBlock(bytes);
        _full = false;
        throw new OutOfMemoryException();
    }

    private sealed class Block(string name, List<string> log) : IDisposable
    {
        public bool Disposed { get; private set; }

        public void Dispose()
        {
            Disposed = true;
            log.Add($"dispose {name}");
        }
    }
}
