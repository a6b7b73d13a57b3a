using System;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace Kvpr.Host
{
    /// <summary>
    /// One thread per core but two (the caller's included) that take work items from a shared counter. Dedicated threads
    /// rather than Parallel.For: a call allocates nothing, and the .NET thread pool's other work never delays CPU attention.
    /// The cores left over are the GPU-driving thread's, the CUDA driver's and the kernel's (a sandbox's too): a worker
    /// preempted by them holds up the whole call. Leaving one core, decode steps with CPU attention on a 16-core H100 host
    /// now and then ran 1.3-2.4 times slower for several steps in a row (docs/performance.md).
    /// Calls run one at a time: each already uses the pool's cores. Between calls a worker spins for a millisecond before
    /// it sleeps, so the calls of consecutive layers find it awake.
    /// </summary>
    internal sealed class HostWorkerPool
    {
        // A worker that finds no new call spins this long before it sleeps: in a decode step the CPU lane's calls come a
        // layer apart with a fraction of a millisecond between them, and waking a dozen sleeping threads costs about that.
        private static readonly long SpinTicks = Stopwatch.Frequency / 1000;

        private readonly object _gate = new();
        // Guards the generation's bump and a worker's last look at it before it sleeps, so no call's wake-up is lost.
        private readonly object _sleep = new();
        private readonly ManualResetEventSlim _finished = new(false);
        private IHostWork? _work;
        private int _count, _next, _pending;
        // Bumped by each call; a worker drains each call once.
        private int _generation;
        private Exception? _failure;

        internal HostWorkerPool(int threads)
        {
            Threads = threads;
            for (int worker = 1; worker < threads; worker++)
            {
                int index = worker;
                new Thread(() => WorkerLoop(index)) { IsBackground = true, Name = $"Kvpr host worker {index}" }.Start();
            }
        }

        /// <summary>The pool over every core this process may use but two.</summary>
        public static HostWorkerPool Shared { get; } = new(Math.Max(1, Environment.ProcessorCount - 2));

        /// <summary>Threads that run items, the caller's included.</summary>
        public int Threads { get; }

        /// <summary>Runs items [0, <paramref name="count"/>) of <paramref name="work"/> and returns when all are done.</summary>
        public void Run(IHostWork work, int count)
        {
            lock (_gate)
            {
                _work = work;
                _count = count;
                _next = 0;
                _failure = null;
                _pending = Threads;
                _finished.Reset();
                // The bump publishes the fields above (the lock's release) and wakes every sleeping worker.
                lock (_sleep)
                {
                    _generation++;
                    Monitor.PulseAll(_sleep);
                }
                Drain(0);
                _finished.Wait();
                _work = null;
                if (_failure is not null)
                    ExceptionDispatchInfo.Throw(_failure);
            }
        }

        /// <summary>Runs <paramref name="body"/> for items [0, <paramref name="count"/>): for work that may allocate (probes, fills).</summary>
        public void Run(int count, Action<int> body) => Run(new DelegateWork(body), count);

        private void WorkerLoop(int worker)
        {
            for (int seen = 0; ; )
            {
                seen = NextGeneration(seen);
                Drain(worker);
            }
        }

        /// <summary>Waits for a call after <paramref name="seen"/>: spinning for <see cref="SpinTicks"/>, then asleep.</summary>
        private int NextGeneration(int seen)
        {
            long spinUntil = Stopwatch.GetTimestamp() + SpinTicks;
            int generation;
            while ((generation = Volatile.Read(ref _generation)) == seen)
            {
                if (Stopwatch.GetTimestamp() < spinUntil)
                {
                    Thread.SpinWait(16);
                    continue;
                }
                lock (_sleep)
                {
                    while (_generation == seen)
                        Monitor.Wait(_sleep);
                }
            }
            return generation;
        }

        private void Drain(int worker)
        {
            try
            {
                int item;
                while ((item = Interlocked.Increment(ref _next) - 1) < _count)
                    _work!.Execute(item, worker);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _failure, e, null);
                Volatile.Write(ref _next, _count);
            }
            finally
            {
                if (Interlocked.Decrement(ref _pending) == 0)
                    _finished.Set();
            }
        }

        private sealed class DelegateWork(Action<int> body) : IHostWork
        {
            public void Execute(int item, int worker) => body(item);
        }
    }
}
