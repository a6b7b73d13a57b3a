using System;

namespace Kvpr.Graphs
{
    /// <summary>A set of node ids below a capacity, as a bit array, for transitive dependency checks on large graphs.</summary>
    internal sealed class NodeSet
    {
        private readonly ulong[] _words;

        public NodeSet(int capacity) => _words = new ulong[(capacity + 63) / 64];

        public void Add(int id) => _words[id >> 6] |= 1UL << (id & 63);

        public bool Contains(int id) => (id >> 6) < _words.Length && (_words[id >> 6] & (1UL << (id & 63))) != 0;

        /// <summary>Adds the members of a set of the same or a smaller capacity.</summary>
        public void UnionWith(NodeSet other)
        {
            for (int i = 0; i < Math.Min(_words.Length, other._words.Length); i++)
                _words[i] |= other._words[i];
        }
    }
}
