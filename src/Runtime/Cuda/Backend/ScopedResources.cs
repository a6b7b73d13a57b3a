using System;
using System.Collections.Generic;

namespace Kvpr.Runtime.Cuda.Backend
{
    /// <summary>
    /// Everything a device hands out, released in scopes: what a generation allocated goes when its scope ends (after
    /// <c>synchronize</c>, so the device no longer uses it), everything else on <see cref="Dispose"/>. Memory a scope
    /// releases is kept by kind and size and handed to the next allocation of that kind that it fits without wasting
    /// more than half of it (the smallest such block), because pinning gigabytes of host store takes seconds and an
    /// engine's generations repeat their shapes or shrink them; the kept blocks are freed when an allocation runs out of
    /// memory, and on <see cref="Dispose"/>. After a failed synchronisation nothing is kept.
    /// </summary>
    internal sealed class ScopedResources : IDisposable
    {
        private readonly Action _synchronize;
        private readonly Func<Exception, bool> _isOutOfMemory;
        private readonly List<(IDisposable Resource, (Type, long)? Key)> _owned = new();
        private readonly Dictionary<(Type, long), Stack<IDisposable>> _kept = new();

        /// <param name="synchronize">Waits until the device has finished all queued work.</param>
        /// <param name="isOutOfMemory">Whether an allocation's exception means that memory ran out (then kept blocks are freed and it is retried once).</param>
        public ScopedResources(Action synchronize, Func<Exception, bool> isOutOfMemory)
        {
            _synchronize = synchronize;
            _isOutOfMemory = isOutOfMemory;
        }

        /// <summary>Blocks kept for reuse, for tests and diagnostics.</summary>
        public int KeptCount
        {
            get
            {
                int count = 0;
                foreach (var stack in _kept.Values)
                    count += stack.Count;
                return count;
            }
        }

        /// <summary>
        /// A block of at least <paramref name="bytes"/>: the smallest kept one of its kind holding them in at most twice
        /// their size, else a new one from <paramref name="allocate"/>.
        /// </summary>
        public T Allocate<T>(long bytes, Func<long, T> allocate) where T : class, IDisposable
        {
            (Type, long)? fitting = null;
            foreach (var kept in _kept.Keys)
                if (kept.Item1 == typeof(T) && kept.Item2 >= bytes && kept.Item2 <= 2 * bytes && (fitting is null || kept.Item2 < fitting.Value.Item2))
                    fitting = kept;
            T block;
            var key = fitting ?? (typeof(T), bytes);
            if (fitting is { } found)
            {
                var stack = _kept[found];
                block = (T)stack.Pop();
                if (stack.Count == 0)
                    _kept.Remove(found);
            }
            else
            {
                block = AllocateOrFreeKept(bytes, allocate);
            }
            _owned.Add((block, key));
            return block;
        }

        /// <summary>A resource that is released, not kept, with its scope (streams, events, modules).</summary>
        public T Track<T>(T resource) where T : IDisposable
        {
            _owned.Add((resource, null));
            return resource;
        }

        /// <summary>Releases what is allocated or tracked after this call when the returned scope is disposed.</summary>
        public IDisposable Scope() => new Mark(this, _owned.Count);

        public void Dispose()
        {
            Release(0, keep: false);
            FreeKept();
        }

        private T AllocateOrFreeKept<T>(long bytes, Func<long, T> allocate)
        {
            try
            {
                return allocate(bytes);
            }
            catch (Exception e) when (_kept.Count > 0 && _isOutOfMemory(e))
            {
                FreeKept();
                return allocate(bytes);
            }
        }

        private void Release(int mark, bool keep)
        {
            for (int i = _owned.Count - 1; i >= mark; i--)
            {
                var (resource, key) = _owned[i];
                if (keep && key is { } k)
                {
                    if (!_kept.TryGetValue(k, out var stack))
                        _kept.Add(k, stack = new Stack<IDisposable>());
                    stack.Push(resource);
                }
                else
                {
                    resource.Dispose();
                }
            }
            _owned.RemoveRange(mark, _owned.Count - mark);
        }

        private void FreeKept()
        {
            foreach (var stack in _kept.Values)
                foreach (var block in stack)
                    block.Dispose();
            _kept.Clear();
        }

        private sealed class Mark(ScopedResources resources, int mark) : IDisposable
        {
            private bool _released;

            public void Dispose()
            {
                if (_released)
                    return;
                _released = true;
                bool idle = false;
                try
                {
                    resources._synchronize();
                    idle = true;
                }
                finally
                {
                    resources.Release(mark, keep: idle);
                }
            }
        }
    }
}
