using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Threading;

namespace Kvpr
{
    /// <summary>
    /// The caller's <see cref="GenerationOptions.OnToken"/> for the ranks of a tensor-parallel generation: rank 0 calls it once per
    /// token (it may stream text and keep state) and hands each decision on; the other ranks, which picked the same token, wait
    /// for it, so every rank stops each sequence at the same step and their all-reduces stay in step.
    /// </summary>
    internal sealed class StopDecisionRelay : IDisposable
    {
        private readonly TokenCallback _callback;
        // Per rank after the first, per sequence, rank 0's decisions in order.
        private readonly BlockingCollection<bool>[][] _decisions;
        private readonly CancellationToken _aborted;

        /// <param name="aborted">Cancelled when a rank failed: a rank waiting for a decision that will never come gives up.</param>
        public StopDecisionRelay(TokenCallback callback, int ranks, int sequences, CancellationToken aborted)
        {
            _callback = callback;
            _aborted = aborted;
            _decisions = Enumerable.Range(1, ranks - 1)
                .Select(_ => Enumerable.Range(0, sequences).Select(_ => new BlockingCollection<bool>()).ToArray()).ToArray();
        }

        /// <summary>What rank <paramref name="rank"/> calls as its <see cref="GenerationOptions.OnToken"/>.</summary>
        public TokenCallback For(int rank) => rank == 0 ? Decide : (sequence, _) => _decisions[rank - 1][sequence].Take(_aborted);

        public void Dispose()
        {
            foreach (var decisions in _decisions.SelectMany(rank => rank))
                decisions.Dispose();
        }

        private bool Decide(int sequence, int token)
        {
            bool stop = _callback(sequence, token);
            foreach (var rank in _decisions)
                rank[sequence].Add(stop);
            return stop;
        }
    }
}
