using System;
using System.Linq;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace Kvpr
{
    /// <summary>
    /// N workers that succeed together or fail as one: the ranks of a tensor-parallel engine, the groups of a data-parallel
    /// one. The first failure releases the others, and the failure that caused it is rethrown, not the cancellations that
    /// followed from it.
    /// </summary>
    internal static class ParallelWorkers
    {
        /// <summary>
        /// Runs <paramref name="work"/> for indices 0 to <paramref name="count"/> − 1 at once, index 0 on the caller's thread and
        /// each other on a thread of its own, and returns their results by index. Each is given a token cancelled by
        /// <paramref name="cancellationToken"/> or by another worker's failure.
        /// </summary>
        /// <param name="threadName">The workers' threads are named this and their index.</param>
        /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled and no worker failed otherwise.</exception>
        public static T[] Run<T>(int count, Func<int, CancellationToken, T> work, CancellationToken cancellationToken, string threadName)
        {
            if (count < 1)
                throw new ArgumentOutOfRangeException(nameof(count), count, "At least one worker runs.");
            using var released = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var results = new T[count];
            var failures = new Exception?[count];
            void Work(int index)
            {
                try
                {
                    results[index] = work(index, released.Token);
                }
                catch (Exception failure)
                {
                    failures[index] = failure;
                    // The others stop at their next check instead of finishing work nobody will read, or waiting for this one.
                    released.Cancel();
                }
            }

            var threads = Enumerable.Range(1, count - 1).Select(index => new Thread(() => Work(index)) { Name = $"{threadName} {index}", IsBackground = true }).ToArray();
            foreach (var thread in threads)
                thread.Start();
            Work(0);
            foreach (var thread in threads)
                thread.Join();

            var thrown = failures.Where(failure => failure is not null).ToArray();
            if (thrown.Length == 0)
                return results;
            // A failure other than a cancellation released the others; else the caller's cancellation, which the workers saw
            // through their own token.
            var cause = thrown.FirstOrDefault(failure => failure is not OperationCanceledException);
            if (cause is null)
                cancellationToken.ThrowIfCancellationRequested();
            ExceptionDispatchInfo.Throw(cause ?? thrown[0]!);
            return results;
        }
    }
}
